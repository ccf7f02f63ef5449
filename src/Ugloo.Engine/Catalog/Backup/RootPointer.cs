using System.Text;
using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Catalog.Backup;

/// <summary>
/// The signed record that names a volume's newest catalog snapshot in the swarm. Nodes keep the one with the
/// highest sequence per volume id; a client recovering the volume fetches them, checks the signature against
/// the key derived from its volume key and reads the snapshot it names. Nothing in it is secret: the snapshot's
/// manifest is its public part and its object key is wrapped under the volume key (DESIGN.md invariant 1).
/// <para>Layout: one bencoded dictionary (keys sorted, so the encoding is canonical), every field required:</para>
/// <code>
/// d
///   1:k   i&lt;data fragments&gt;e        the volume's code and segment size, so a recovered client can write
///   1:m   i&lt;parity fragments&gt;e      new files as before
///   3:man &lt;bytes&gt;                    the snapshot object's public manifest (ObjectManifest layout)
///   2:rl  i&lt;required node losses&gt;e
///   3:seg i&lt;segment size, bytes&gt;e
///   3:seq i&lt;sequence&gt;e               strictly increasing per volume; the highest valid one wins
///   3:sig 64:&lt;Ed25519 signature&gt;      over "ugloo-catalog-root-v1" 0x00 || this dictionary without "sig"
///   1:t   i&lt;created, Unix ms&gt;e
///   1:v   i1e                         record version
///   3:vol 32:&lt;volume id&gt;              the signer's Ed25519 public key
///   2:wk  &lt;bytes&gt;                     the snapshot's object key, wrapped under the volume key
/// e
/// </code>
/// </summary>
public sealed class RootPointer
{
    public const int Version = 1;

    /// <summary>A record larger than this is refused unparsed (a catalog of millions of segments would need more; none is near).</summary>
    public const int MaxLength = 1 << 20;

    private static readonly byte[] s_domain = Encoding.ASCII.GetBytes(RootSigningKey.Purpose + "\0");

    private static readonly BencodeOptions s_options = new()
    {
        MaxDepth = 2,
        MaxStringLength = MaxLength,
        MaxItems = 32,
        MaxInputLength = MaxLength,
    };

    private RootPointer(byte[] volumeId, long sequence, DateTimeOffset created, RootVolumeSettings settings, byte[] manifest, byte[] wrappedKey, byte[] signature)
    {
        VolumeId = volumeId;
        Sequence = sequence;
        Created = created;
        Settings = settings;
        Manifest = manifest;
        WrappedKey = wrappedKey;
        Signature = signature;
    }

    public byte[] VolumeId { get; }

    public long Sequence { get; }

    public DateTimeOffset Created { get; }

    public RootVolumeSettings Settings { get; }

    public byte[] Manifest { get; }

    public byte[] WrappedKey { get; }

    public byte[] Signature { get; }

    /// <summary>Builds and signs a pointer.</summary>
    public static RootPointer Create(RootSigningKey key, long sequence, DateTimeOffset created, RootVolumeSettings settings, byte[] manifest, byte[] wrappedKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(wrappedKey);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequence);
        var createdMs = DateTimeOffset.FromUnixTimeMilliseconds(created.ToUnixTimeMilliseconds());
        var unsigned = new RootPointer(key.VolumeId, sequence, createdMs, settings, manifest, wrappedKey, []);
        byte[] signature = key.Sign(unsigned.SignedBytes());
        return new RootPointer(key.VolumeId, sequence, createdMs, settings, manifest, wrappedKey, signature);
    }

    /// <summary>Parses a record from untrusted bytes; does not check the signature (<see cref="IsSignatureValid"/> does).</summary>
    /// <exception cref="InvalidDataException">Not a well-formed version 1 root pointer.</exception>
    public static RootPointer Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > MaxLength)
        {
            throw new InvalidDataException($"A root pointer of {bytes.Length} bytes is larger than the {MaxLength} allowed.");
        }

        BDictionary d;
        try
        {
            d = BencodeDecoder.Decode(bytes, s_options) as BDictionary ?? throw new InvalidDataException("A root pointer is a bencoded dictionary.");
        }
        catch (BencodeException e)
        {
            throw new InvalidDataException($"Malformed root pointer: {e.Message}", e);
        }

        long version = Integer(d, "v", 1, int.MaxValue);
        if (version != Version)
        {
            throw new InvalidDataException($"Root pointer version {version} is not known here (this Ugloo reads version {Version}).");
        }

        var settings = new RootVolumeSettings(
            (int)Integer(d, "k", 1, 255),
            (int)Integer(d, "m", 0, 254),
            (int)Integer(d, "seg", 1, int.MaxValue),
            (int)Integer(d, "rl", 0, 255));
        return new RootPointer(
            Bytes(d, "vol", RootSigningKey.PublicKeySize),
            Integer(d, "seq", 1, long.MaxValue),
            DateTimeOffset.FromUnixTimeMilliseconds(Integer(d, "t", 0, 253402300799999)),
            settings,
            Bytes(d, "man", -1),
            Bytes(d, "wk", -1),
            Bytes(d, "sig", RootSigningKey.SignatureSize));
    }

    /// <summary>True when the signature verifies under the record's own volume id.</summary>
    public bool IsSignatureValid() => RootSigningKey.Verify(VolumeId, SignedBytes(), Signature);

    public byte[] Serialize() => BencodeEncoder.Encode(ToDictionary(withSignature: true));

    private byte[] SignedBytes()
    {
        byte[] body = BencodeEncoder.Encode(ToDictionary(withSignature: false));
        return [.. s_domain, .. body];
    }

    private BDictionary ToDictionary(bool withSignature)
    {
        var d = new BDictionary();
        d.Set("v", Version);
        d.Set("vol", VolumeId);
        d.Set("seq", Sequence);
        d.Set("t", Created.ToUnixTimeMilliseconds());
        d.Set("k", Settings.DataFragments);
        d.Set("m", Settings.ParityFragments);
        d.Set("seg", Settings.SegmentSize);
        d.Set("rl", Settings.RequiredNodeLosses);
        d.Set("man", Manifest);
        d.Set("wk", WrappedKey);
        if (withSignature)
        {
            d.Set("sig", Signature);
        }

        return d;
    }

    private static long Integer(BDictionary d, string key, long min, long max) =>
        d.TryGetInteger(key, out long value) && value >= min && value <= max
            ? value
            : throw new InvalidDataException($"Root pointer field \"{key}\" is missing or out of range.");

    private static byte[] Bytes(BDictionary d, string key, int exactLength) =>
        d.TryGetBytes(key, out ReadOnlyMemory<byte> value) && (exactLength < 0 || value.Length == exactLength)
            ? value.ToArray()
            : throw new InvalidDataException($"Root pointer field \"{key}\" is missing or has the wrong length.");
}
