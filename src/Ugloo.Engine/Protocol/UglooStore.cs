using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_store: one chunk of a fragment the sender asks the receiver to keep.
/// <code>
/// d
///   3:rid   i&lt;request id&gt;e        same for every chunk of one fragment upload
///   2:id    32:&lt;fragment id&gt;      fragment id (BLAKE3-256 of the whole fragment)
///   5:total i&lt;fragment length&gt;e
///   3:off   i&lt;offset of chunk&gt;e
///   3:seg   d ... e               optional, first chunk only: the segment's public facts (SegmentDescriptor)
/// e &lt;chunk bytes: rest of the message, at most MaxChunkLength (1 MiB)&gt;
/// </code>
/// Chunks of one rid are sent in order with contiguous offsets; the receiver answers once per rid
/// with ugloo_store_result: after the last chunk (off + chunk length == total) once the fragment
/// hashed to its id and is durable, or at the first error, after which it ignores that rid.
/// </summary>
internal sealed class UglooStore : IExtensionMessage<UglooStore>
{
    public UglooStore(long requestId, ReadOnlySpan<byte> fragmentId, long totalLength, long offset, ReadOnlyMemory<byte> data, Repair.SegmentDescriptor? segment = null, int fragmentIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + data.Length, totalLength);
        RequestId = requestId;
        FragmentId = ExtensionCodec.CheckId(fragmentId, nameof(fragmentId));
        TotalLength = totalLength;
        Offset = offset;
        Data = data;
        Segment = segment;
        FragmentIndex = fragmentIndex;
    }

    public static string Name => ExtensionNames.Store;

    public long RequestId { get; }

    public byte[] FragmentId { get; }

    public long TotalLength { get; }

    public long Offset { get; }

    /// <summary>The chunk; a slice of the received frame when decoded.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>
    /// The segment this fragment belongs to, so the node can repair it later; sent with the first chunk by
    /// writers that know it (absent from older senders: the node then stores the fragment without a record).
    /// </summary>
    public Repair.SegmentDescriptor? Segment { get; }

    /// <summary>The fragment's index in <see cref="Segment"/>.</summary>
    public int FragmentIndex { get; }

    /// <summary>True for the chunk that completes the fragment.</summary>
    public bool IsLast => Offset + Data.Length == TotalLength;

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        d.Set("id", FragmentId);
        d.Set("total", TotalLength);
        d.Set("off", Offset);
        if (Segment is not null && Offset == 0)
        {
            d.Set("seg", Segment.ToBencode(FragmentIndex));
        }

        return d;
    }

    public static UglooStore FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        long rid = ExtensionCodec.RequireInteger(header, "rid", long.MinValue);
        byte[] id = ExtensionCodec.RequireBytes(header, "id", ExtensionCodec.IdLength);
        long total = ExtensionCodec.RequireInteger(header, "total");
        long offset = ExtensionCodec.RequireInteger(header, "off");
        if (offset > total || data.Length > total - offset)
        {
            throw new PeerProtocolException($"ugloo_store chunk [{offset}, +{data.Length}) lies outside a fragment of {total} bytes.");
        }

        Repair.SegmentDescriptor? segment = null;
        int index = 0;
        if (header.TryGetValue("seg", out BValue? seg))
        {
            BDictionary d = seg as BDictionary ?? throw new PeerProtocolException("ugloo_store \"seg\" is not a dictionary.");
            segment = Repair.SegmentDescriptor.FromBencode(d, id, total);
            index = (int)ExtensionCodec.RequireInteger(d, "idx");
        }

        return new UglooStore(rid, id, total, offset, data, segment, index);
    }
}
