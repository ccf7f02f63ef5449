using System.Buffers.Binary;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using static Ugloo.Engine.Tests.Objects.PipelineHarness;

namespace Ugloo.Engine.Tests.Objects;

public sealed class ObjectManifestTests
{
    private static async Task<ObjectManifest> SampleAsync(int size = (2 * SmallSegment) + 100, int k = 4, int m = 2)
    {
        using var volumeKey = VolumeKey.Generate();
        var (result, _) = await WriteAsync(RandomBytes(size, 11), volumeKey, Options(k: k, m: m));
        return result.Manifest;
    }

    [Theory]
    [InlineData(0, 4, 2)]
    [InlineData(2148, 4, 2)]
    [InlineData(5000, 10, 4)]
    [InlineData(100, 1, 0)]
    public async Task Serialization_round_trips(int size, int k, int m)
    {
        ObjectManifest manifest = await SampleAsync(size, k, m);
        byte[] bytes = manifest.Serialize();
        Assert.Equal(ObjectManifest.HeaderLength + (manifest.SegmentCount * (k + m) * FragmentId.Size), bytes.Length);

        ObjectManifest back = ObjectManifest.Deserialize(bytes);
        Assert.Equal(manifest.ObjectId, back.ObjectId);
        Assert.Equal(manifest.PlaintextSize, back.PlaintextSize);
        Assert.Equal(manifest.SegmentSize, back.SegmentSize);
        Assert.Equal(manifest.DataFragments, back.DataFragments);
        Assert.Equal(manifest.ParityFragments, back.ParityFragments);
        Assert.Equal(manifest.SegmentCount, back.SegmentCount);
        Assert.Equal(manifest.CipherSuite, back.CipherSuite);
        for (int s = 0; s < manifest.SegmentCount; s++)
        {
            Assert.Equal(manifest.FragmentLength(s), back.FragmentLength(s));
            Assert.Equal(manifest.SealedLength(s), back.SealedLength(s));
            Assert.True(manifest.GetFragmentIds(s).SequenceEqual(back.GetFragmentIds(s)));
        }

        Assert.Equal(bytes, back.Serialize());
    }

    [Fact]
    public async Task Every_truncation_and_any_trailing_byte_is_a_format_error()
    {
        byte[] bytes = (await SampleAsync()).Serialize();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<FormatException>(() => ObjectManifest.Deserialize(bytes.AsSpan(0, length)));
        }

        Assert.Throws<FormatException>(() => ObjectManifest.Deserialize([.. bytes, 0]));
    }

    public static TheoryData<string, int, long> Corruptions() => new()
    {
        { "magic", 0, 'X' },
        { "version", 4, 2 },
        { "suite", 5, 9 },
        { "k zero", 34, 0 },
        { "k + m > 255", 35, 254 },
        { "alignment not a power of two", 36, 48 },
        { "segment count disagrees", 38, 7 },
        { "segment size too small", 30, 10 },
        { "segment size too large", 30, uint.MaxValue },
        { "plaintext size beyond the segment limit", 22, long.MaxValue },
        { "plaintext size negative as i64", 22, -1 },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public async Task Malformed_header_fields_are_format_errors(string what, int offset, long value)
    {
        byte[] bytes = (await SampleAsync()).Serialize();
        switch (offset)
        {
            case 22:
                BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(offset), value);
                break;
            case 30:
            case 38:
                BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), (uint)value);
                break;
            case 36:
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offset), (ushort)value);
                break;
            default:
                bytes[offset] = (byte)value;
                break;
        }

        var e = Assert.Throws<FormatException>(() => ObjectManifest.Deserialize(bytes));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
    }

    [Fact]
    public void An_oversized_claim_in_a_short_message_is_rejected_without_allocating_the_table()
    {
        // A 42-byte header claiming 2^24 segments of 255 fragments (137 GB of ids) must fail on the
        // length check, not on an allocation.
        byte[] bytes = new byte[ObjectManifest.HeaderLength];
        "UGOM"u8.CopyTo(bytes);
        bytes[4] = 1;
        bytes[5] = 1;
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(22), (ulong)ObjectManifest.MaxSegmentCount * ObjectManifest.MinSegmentSize);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(30), ObjectManifest.MinSegmentSize);
        bytes[34] = 200;
        bytes[35] = 55;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(36), 64);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(38), ObjectManifest.MaxSegmentCount);

        var e = Assert.Throws<FormatException>(() => ObjectManifest.Deserialize(bytes));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_garbage_never_throws_anything_but_format_exception()
    {
        var random = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length >= 6 && i % 2 == 0)
            {
                "UGOM"u8.CopyTo(bytes);
                bytes[4] = 1;
                bytes[5] = 1;
            }

            Assert.Throws<FormatException>(() => ObjectManifest.Deserialize(bytes));
        }
    }

    [Fact]
    public void Wrapped_object_key_round_trips_and_rejects_bad_lengths()
    {
        using var volumeKey = VolumeKey.Generate();
        using ObjectKey key = ObjectKey.Generate();
        var id = ObjectId.New();
        WrappedObjectKey wrapped = volumeKey.Wrap(id, key);
        byte[] bytes = wrapped.Serialize();
        Assert.Equal(WrappedObjectKey.SerializedLength, bytes.Length);

        using ObjectKey back = volumeKey.Unwrap(id, WrappedObjectKey.Deserialize(bytes));
        Assert.True(key.Bytes.SequenceEqual(back.Bytes));
        Assert.Throws<FormatException>(() => WrappedObjectKey.Deserialize(bytes.AsSpan(1)));
        bytes[0] = 9;
        Assert.Throws<FormatException>(() => WrappedObjectKey.Deserialize(bytes));
    }
}
