using Ugloo.Engine.Codec;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using static Ugloo.Engine.Tests.Objects.PipelineHarness;

namespace Ugloo.Engine.Tests.Objects;

public sealed class ObjectPipelineTests
{
    public static TheoryData<int, int, int> SizesAndCodes()
    {
        var data = new TheoryData<int, int, int>();
        int[] sizes = [0, 1, SmallSegment - 1, SmallSegment, SmallSegment + 1, (5 * SmallSegment) + 17];
        (int K, int M)[] codes = [(4, 2), (1, 0), (1, 2), (3, 1), (10, 4)];
        foreach (int size in sizes)
        {
            foreach ((int k, int m) in codes)
            {
                data.Add(size, k, m);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SizesAndCodes))]
    public async Task Content_round_trips_for_every_size_and_code(int size, int k, int m)
    {
        byte[] content = RandomBytes(size, size + k);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options(k: k, m: m));

        ObjectManifest manifest = result.Manifest;
        Assert.Equal(size, manifest.PlaintextSize);
        Assert.Equal(Math.Max(1, (size + SmallSegment - 1) / SmallSegment), manifest.SegmentCount);
        Assert.Equal(manifest.SegmentCount * (k + m), store.Count);

        using ObjectKey key = volumeKey.Unwrap(manifest.ObjectId, result.WrappedKey);
        Assert.Equal(content, await ReadAsync(manifest, key, store));
    }

    [Fact]
    public async Task Data_fragments_are_slices_of_the_sealed_segment_and_fragments_are_aligned()
    {
        byte[] content = RandomBytes(3000, 1);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options());
        ObjectManifest manifest = result.Manifest;

        for (int s = 0; s < manifest.SegmentCount; s++)
        {
            int length = manifest.FragmentLength(s);
            Assert.Equal(0, length % 64);
            Assert.True(length * 4 >= manifest.SealedLength(s));
            for (int f = 0; f < manifest.TotalFragments; f++)
            {
                Assert.Equal(length, store[new FragmentAddress(s, f)].Length);
                Assert.Equal(manifest.GetFragmentId(s, f), FragmentId.Compute(store[new FragmentAddress(s, f)]));
            }
        }

        // Ciphertext, not plaintext, is what nodes hold: the first data fragment must not echo the input.
        Assert.False(store[new FragmentAddress(0, 0)].AsSpan(0, 64).SequenceEqual(content.AsSpan(0, 64)));
    }

    [Fact]
    public async Task Losing_any_m_fragments_of_every_segment_still_reads()
    {
        byte[] content = RandomBytes((3 * SmallSegment) + 5, 2);
        using var volumeKey = VolumeKey.Generate();
        var (result, _) = await WriteAsync(content, volumeKey, Options(k: 4, m: 2));
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);

        for (int a = 0; a < 6; a++)
        {
            for (int b = a + 1; b < 6; b++)
            {
                // Rewrite to get a pristine store per pattern; fragment bytes differ per write (fresh key).
                var (again, store) = await WriteAsync(content, volumeKey, Options(k: 4, m: 2));
                using ObjectKey againKey = volumeKey.Unwrap(again.Manifest.ObjectId, again.WrappedKey);
                for (int s = 0; s < again.Manifest.SegmentCount; s++)
                {
                    store.Lose(new FragmentAddress(s, a));
                    store.Lose(new FragmentAddress(s, b));
                }

                Assert.Equal(content, await ReadAsync(again.Manifest, againKey, store));
            }
        }
    }

    [Fact]
    public async Task A_corrupted_fragment_is_reported_and_skipped()
    {
        byte[] content = RandomBytes(2 * SmallSegment, 3);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options());
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);
        store.FlipByte(new FragmentAddress(1, 2), 10);

        var rejected = new List<FragmentRejectedEventArgs>();
        byte[] read = await ReadAsync(result.Manifest, key, store, e =>
        {
            lock (rejected)
            {
                rejected.Add(e);
            }
        });

        Assert.Equal(content, read);
        FragmentRejectedEventArgs report = Assert.Single(rejected);
        Assert.Equal(new FragmentAddress(1, 2), report.Address);
        Assert.Equal(result.Manifest.GetFragmentId(1, 2), report.Expected);
        Assert.NotEqual(report.Expected, report.Actual);
    }

    [Fact]
    public async Task Too_many_lost_fragments_name_the_segment_and_the_shortfall()
    {
        byte[] content = RandomBytes(3 * SmallSegment, 4);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options(k: 4, m: 2));
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);
        store.Lose(new FragmentAddress(1, 0));
        store.Lose(new FragmentAddress(1, 4));
        store.FlipByte(new FragmentAddress(1, 5), 0);

        var e = await Assert.ThrowsAsync<InsufficientFragmentsException>(() => ReadAsync(result.Manifest, key, store));
        Assert.Equal(4, e.Required);
        Assert.Equal(3, e.Available);
        Assert.Contains("Segment 1 ", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 fragment(s) missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_volume_key_cannot_unwrap_the_object_key()
    {
        using var volumeKey = VolumeKey.Generate();
        using var otherKey = VolumeKey.Generate();
        var (result, _) = await WriteAsync(RandomBytes(100, 5), volumeKey, Options());

        Assert.Throws<AuthenticationFailedException>(() => otherKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey));
        Assert.Throws<AuthenticationFailedException>(() => volumeKey.Unwrap(ObjectId.New(), result.WrappedKey));
    }

    [Fact]
    public async Task A_wrong_object_key_fails_authentication_on_the_first_segment()
    {
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(RandomBytes(2000, 6), volumeKey, Options());
        using ObjectKey wrong = ObjectKey.Generate();

        var e = await Assert.ThrowsAsync<SegmentAuthenticationException>(() => ReadAsync(result.Manifest, wrong, store));
        Assert.Equal(0, e.SegmentIndex);
    }

    [Fact]
    public async Task Tampered_ciphertext_with_a_matching_fragment_id_fails_authentication_naming_the_segment()
    {
        byte[] content = RandomBytes(3 * SmallSegment, 7);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options());
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);

        var address = new FragmentAddress(2, 1);
        store.FlipByte(address, 3);
        ObjectManifest forged = WithFragmentId(result.Manifest, address, FragmentId.Compute(store[address]));

        var e = await Assert.ThrowsAsync<SegmentAuthenticationException>(() => ReadAsync(forged, key, store));
        Assert.Equal(2, e.SegmentIndex);
        Assert.Contains("Segment 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Swapped_segments_fail_authentication()
    {
        byte[] content = RandomBytes(3 * SmallSegment, 8);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options());
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);

        ObjectManifest swapped = result.Manifest;
        for (int f = 0; f < 6; f++)
        {
            var a = new FragmentAddress(0, f);
            var b = new FragmentAddress(1, f);
            byte[] first = store[a];
            store.Put(a, store[b]);
            store.Put(b, first);
            swapped = WithFragmentId(swapped, a, result.Manifest.GetFragmentId(b));
            swapped = WithFragmentId(swapped, b, result.Manifest.GetFragmentId(a));
        }

        var e = await Assert.ThrowsAsync<SegmentAuthenticationException>(() => ReadAsync(swapped, key, store));
        Assert.Equal(0, e.SegmentIndex);
    }

    [Fact]
    public async Task A_manifest_truncated_to_fewer_segments_fails_on_its_new_last_segment()
    {
        byte[] content = RandomBytes(3 * SmallSegment, 9);
        using var volumeKey = VolumeKey.Generate();
        var (result, store) = await WriteAsync(content, volumeKey, Options());
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);

        // Rewrite size and count to two full segments and drop the third segment's ids (layout v1).
        byte[] bytes = result.Manifest.Serialize();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(22), 2 * SmallSegment);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(38), 2);
        ObjectManifest truncated = ObjectManifest.Deserialize(bytes.AsSpan(0, ObjectManifest.HeaderLength + (2 * 6 * FragmentId.Size)));

        var e = await Assert.ThrowsAsync<SegmentAuthenticationException>(() => ReadAsync(truncated, key, store));
        Assert.Equal(1, e.SegmentIndex);
    }

    [Fact]
    public async Task An_object_key_seals_only_one_object()
    {
        using ObjectKey key = ObjectKey.Generate();
        var writer = new ObjectWriter(Options());
        CancellationToken ct = TestContext.Current.CancellationToken;
        await writer.WriteAsync(new MemoryStream([1, 2, 3]), new NullFragmentSink(), ObjectId.New(), key, ct);

        Assert.False(key.CanSeal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new MemoryStream([4]), new NullFragmentSink(), ObjectId.New(), key, ct));

        using var volumeKey = VolumeKey.Generate();
        var id = ObjectId.New();
        using ObjectKey unwrapped = volumeKey.Unwrap(id, volumeKey.Wrap(id, ObjectKey.Generate()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(new MemoryStream([4]), new NullFragmentSink(), id, unwrapped, ct));
    }

    [Fact]
    public async Task A_failing_sink_fails_the_write_and_every_buffer_goes_back_to_the_pool()
    {
        var pool = new CountingArrayPool();
        ObjectPipelineOptions options = Options(workers: 2);
        options.BufferPool = pool;
        var writer = new ObjectWriter(options);
        using ObjectKey key = ObjectKey.Generate();

        var e = await Assert.ThrowsAsync<IOException>(() => writer.WriteAsync(
            new GeneratedStream(50 * SmallSegment, 1), new FailingSink(failAtSegment: 7), ObjectId.New(), key, TestContext.Current.CancellationToken));
        Assert.Equal("disk full", e.Message);
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_failing_input_stream_fails_the_write_and_every_buffer_goes_back_to_the_pool()
    {
        var pool = new CountingArrayPool();
        ObjectPipelineOptions options = Options(workers: 2);
        options.BufferPool = pool;
        var writer = new ObjectWriter(options);
        using ObjectKey key = ObjectKey.Generate();

        await Assert.ThrowsAsync<EndOfStreamException>(() => writer.WriteAsync(
            new FailingStream(10 * SmallSegment), new NullFragmentSink(), ObjectId.New(), key, TestContext.Current.CancellationToken));
        Assert.Equal(0, pool.Outstanding);
    }

    private sealed class FailingSink(int failAtSegment) : IFragmentSink
    {
        public async ValueTask StoreSegmentAsync(ObjectId objectId, int segmentIndex, ulong generation, IReadOnlyList<FragmentId> ids, IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken)
        {
            await Task.Yield();
            if (segmentIndex == failAtSegment)
            {
                throw new IOException("disk full");
            }
        }
    }

    private sealed class FailingStream(long failAt) : MemoryStream(new byte[failAt])
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= Length)
            {
                throw new EndOfStreamException("connection reset");
            }

            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
