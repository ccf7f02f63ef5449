using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Repair;

/// <summary>
/// The public facts of one segment that repair needs, and nothing secret (DESIGN.md invariant 1): its
/// placement key, the code (k data + m parity fragments), the fragments' common length and the n fragment
/// ids in order (index i = fragment i). A node keeps one for every segment it holds a fragment of.
/// </summary>
/// <remarks>
/// On the wire it rides in ugloo_store's first chunk as the optional "seg" dictionary (docs/PROTOCOL.md):
/// <code>
/// d 3:ids &lt;32*n bytes&gt; 3:idx i&lt;index of the stored fragment&gt;e 1:k i&lt;k&gt;e
///   3:key 32:&lt;segment key&gt; 3:len i&lt;fragment length&gt;e 1:m i&lt;m&gt;e e
/// </code>
/// </remarks>
internal sealed class SegmentDescriptor
{
    public const int KeySize = 32;

    public SegmentDescriptor(ReadOnlySpan<byte> key, int dataFragments, int parityFragments, long fragmentLength, IReadOnlyList<FragmentId> fragmentIds)
    {
        ArgumentNullException.ThrowIfNull(fragmentIds);
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"A segment key is {KeySize} bytes.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(dataFragments, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(parityFragments);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dataFragments + parityFragments, Codec.ReedSolomon.MaxFragments, nameof(parityFragments));
        ArgumentOutOfRangeException.ThrowIfNegative(fragmentLength);
        if (fragmentIds.Count != dataFragments + parityFragments)
        {
            throw new ArgumentException($"{fragmentIds.Count} fragment ids for a code of {dataFragments} + {parityFragments}.", nameof(fragmentIds));
        }

        Key = key.ToArray();
        DataFragments = dataFragments;
        ParityFragments = parityFragments;
        FragmentLength = fragmentLength;
        FragmentIds = [.. fragmentIds];
    }

    /// <summary>The placement key, SHA-256 over the object id, index and generation (<see cref="Swarm.SegmentKey"/>).</summary>
    public byte[] Key { get; }

    public int DataFragments { get; }

    public int ParityFragments { get; }

    public int TotalFragments => DataFragments + ParityFragments;

    public long FragmentLength { get; }

    public IReadOnlyList<FragmentId> FragmentIds { get; }

    /// <summary>The key as hex, for logs and dictionary keys.</summary>
    public string KeyHex => Convert.ToHexStringLower(Key);

    /// <summary>The "seg" dictionary of ugloo_store for fragment <paramref name="index"/>.</summary>
    public BDictionary ToBencode(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, TotalFragments);
        var d = new BDictionary();
        d.Set("ids", JoinIds());
        d.Set("idx", index);
        d.Set("k", DataFragments);
        d.Set("key", Key);
        d.Set("len", FragmentLength);
        d.Set("m", ParityFragments);
        return d;
    }

    /// <summary>
    /// Reads the "seg" dictionary of ugloo_store and checks it describes the fragment it came with
    /// (<paramref name="fragmentId"/> at "idx", of <paramref name="fragmentLength"/> bytes).
    /// </summary>
    /// <exception cref="PeerProtocolException">Malformed or inconsistent.</exception>
    public static SegmentDescriptor FromBencode(BDictionary d, ReadOnlySpan<byte> fragmentId, long fragmentLength)
    {
        ArgumentNullException.ThrowIfNull(d);
        byte[] key = ExtensionCodec.RequireBytes(d, "key", KeySize);
        int k = (int)ExtensionCodec.RequireInteger(d, "k", 1, Codec.ReedSolomon.MaxFragments);
        int m = (int)ExtensionCodec.RequireInteger(d, "m", 0, Codec.ReedSolomon.MaxFragments - k);
        long length = ExtensionCodec.RequireInteger(d, "len");
        int index = (int)ExtensionCodec.RequireInteger(d, "idx", 0, k + m - 1);
        byte[] compact = ExtensionCodec.RequireBytes(d, "ids", (k + m) * FragmentId.Size);
        var ids = new FragmentId[k + m];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = new FragmentId(compact.AsSpan(i * FragmentId.Size, FragmentId.Size));
        }

        if (length != fragmentLength || ids[index] != new FragmentId(fragmentId))
        {
            throw new PeerProtocolException($"ugloo_store \"seg\" does not describe the stored fragment (index {index}, {length} bytes).");
        }

        return new SegmentDescriptor(key, k, m, length, ids);
    }

    /// <summary>The n ids concatenated (the "ids" field, and how records keep them).</summary>
    public byte[] JoinIds()
    {
        byte[] compact = new byte[TotalFragments * FragmentId.Size];
        for (int i = 0; i < FragmentIds.Count; i++)
        {
            FragmentIds[i].WriteTo(compact.AsSpan(i * FragmentId.Size));
        }

        return compact;
    }
}
