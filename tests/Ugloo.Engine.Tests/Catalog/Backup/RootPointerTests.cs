using System.Text;
using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Catalog.Backup;

public sealed class RootPointerTests
{
    private static readonly RootVolumeSettings s_settings = new(4, 2, 65536, 2);

    [Fact]
    public void The_signing_key_is_derived_from_the_volume_key_so_a_new_machine_finds_the_same_volume_id()
    {
        byte[] raw = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using VolumeKey a = VolumeKey.FromBytes(raw);
        using VolumeKey b = VolumeKey.FromBytes(raw);
        using VolumeKey other = VolumeKey.Generate();
        using var signA = RootSigningKey.Derive(a);
        using var signB = RootSigningKey.Derive(b);
        using var signOther = RootSigningKey.Derive(other);
        Assert.Equal(signA.VolumeId, signB.VolumeId);
        Assert.NotEqual(signA.VolumeId, signOther.VolumeId);
    }

    [Fact]
    public void A_pointer_round_trips_and_verifies_and_any_changed_byte_breaks_it()
    {
        using VolumeKey key = VolumeKey.Generate();
        using var signing = RootSigningKey.Derive(key);
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        RootPointer pointer = RootPointer.Create(signing, 12, created, s_settings, [1, 2, 3], [4, 5]);
        byte[] bytes = pointer.Serialize();

        RootPointer parsed = RootPointer.Parse(bytes);
        Assert.True(parsed.IsSignatureValid());
        Assert.Equal(12, parsed.Sequence);
        Assert.Equal(created, parsed.Created);
        Assert.Equal(s_settings, parsed.Settings);
        Assert.Equal([1, 2, 3], parsed.Manifest);
        Assert.Equal([4, 5], parsed.WrappedKey);
        Assert.Equal(signing.VolumeId, parsed.VolumeId);
        Assert.StartsWith("d1:ki4e1:mi2e3:man3:", Encoding.Latin1.GetString(bytes));

        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] changed = (byte[])bytes.Clone();
            changed[i] ^= 0x01;
            bool valid;
            try
            {
                valid = RootPointer.Parse(changed).IsSignatureValid();
            }
            catch (InvalidDataException)
            {
                valid = false;
            }

            Assert.False(valid, $"flipping a bit of byte {i} left a valid pointer");
        }
    }

    [Fact]
    public void Malformed_pointers_are_refused_with_InvalidDataException()
    {
        Assert.Throws<InvalidDataException>(() => RootPointer.Parse("i1e"u8));
        Assert.Throws<InvalidDataException>(() => RootPointer.Parse("d1:vi1ee"u8));
        Assert.Throws<InvalidDataException>(() => RootPointer.Parse("d1:vi2ee"u8));
        Assert.Throws<InvalidDataException>(() => RootPointer.Parse(new byte[RootPointer.MaxLength + 1]));
    }

    [Fact]
    public void Root_messages_round_trip_with_their_documented_bytes()
    {
        byte[] vol = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        UglooRootPut request = ExtensionCodec.Decode<UglooRootPut>(Payload(UglooRootPut.Request(7, "PTR"u8.ToArray())));
        Assert.True(request.IsQuery);
        Assert.Equal(7, request.RequestId);
        Assert.Equal("PTR"u8.ToArray(), request.Data.ToArray());
        Assert.Equal("d1:qi1e3:ridi7ee" + "PTR", Encoding.Latin1.GetString(Payload(UglooRootPut.Request(7, "PTR"u8.ToArray()))));

        UglooRootPut stale = ExtensionCodec.Decode<UglooRootPut>(Payload(UglooRootPut.Refused(7, 9, UglooRootPut.StaleCode, "holds 9")));
        Assert.False(stale.Ok);
        Assert.Equal(9, stale.Sequence);
        Assert.Equal("d3:err5:stale6:reason7:holds 93:ridi7e3:seqi9ee", Encoding.Latin1.GetString(Payload(UglooRootPut.Refused(7, 9, UglooRootPut.StaleCode, "holds 9"))));

        UglooRootGet query = ExtensionCodec.Decode<UglooRootGet>(Payload(UglooRootGet.Query(3, vol)));
        Assert.True(query.IsQuery);
        Assert.Equal(vol, query.VolumeId);
        UglooRootGet found = ExtensionCodec.Decode<UglooRootGet>(Payload(UglooRootGet.Found(3, vol, "PTR"u8.ToArray())));
        Assert.Null(found.Error);
        Assert.Equal("PTR"u8.ToArray(), found.Data.ToArray());
        UglooRootGet missing = ExtensionCodec.Decode<UglooRootGet>(Payload(UglooRootGet.NotFound(3, vol, "none")));
        Assert.Equal(UglooErrorCodes.NotFound, missing.Error);

        // A request without a pointer, an answer carrying one where none belongs, a short volume id: protocol errors.
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooRootPut>("d1:qi1e3:ridi1ee"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooRootGet>("d1:qi1e3:ridi1e3:vol2:xxeZZ"u8.ToArray()));
        Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooRootGet>("d3:ridi1e3:vol2:xxe"u8.ToArray()));
    }

    [Fact]
    public void Every_truncation_of_a_root_message_or_pointer_is_refused_cleanly()
    {
        byte[] vol = new byte[32];
        using VolumeKey key = VolumeKey.Generate();
        using var signing = RootSigningKey.Derive(key);
        byte[] pointer = RootPointer.Create(signing, 1, DateTimeOffset.UtcNow, s_settings, [1, 2, 3], [4, 5]).Serialize();
        byte[][] payloads =
        [
            Payload(UglooRootPut.Request(1, pointer)),
            Payload(UglooRootPut.Accepted(1, 1)),
            Payload(UglooRootGet.Query(1, vol)),
            Payload(UglooRootGet.NotFound(1, vol, "none")),
        ];
        foreach (byte[] payload in payloads)
        {
            // Cut inside the header: always a protocol error (the data part, when present, is opaque here).
            ExtensionCodec.DecodeHeader(payload, out int header);
            Assert.True(header > 10);
            for (int cut = 0; cut < header; cut++)
            {
                byte[] truncated = payload[..cut];
                Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooRootPut>(truncated));
                Assert.Throws<PeerProtocolException>(() => ExtensionCodec.Decode<UglooRootGet>(truncated));
            }
        }

        for (int cut = 0; cut < pointer.Length; cut++)
        {
            byte[] truncated = pointer[..cut];
            Assert.Throws<InvalidDataException>(() => RootPointer.Parse(truncated));
        }
    }

    private static byte[] Payload<T>(T message)
        where T : IExtensionMessage<T>
    {
        ExtendedMessage extended = ExtensionCodec.Encode(message, 16);
        return [.. BencodeBytes(extended)];
    }

    private static byte[] BencodeBytes(ExtendedMessage extended) => [.. extended.Header.ToArray(), .. extended.Data.ToArray()];
}
