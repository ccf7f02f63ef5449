using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_fetch: asks for a range of a fragment.
/// <code>
/// d
///   2:id  32:&lt;fragment id&gt;
///   3:len i&lt;length&gt;e       1 .. MaxChunkLength (1 MiB); a larger fragment takes several fetches,
///                           which may be pipelined with distinct rids
///   3:off i&lt;offset&gt;e
///   3:rid i&lt;request id&gt;e
/// e
/// </code>
/// Answered by one ugloo_fetch_data with the same rid.
/// </summary>
internal sealed class UglooFetch : IExtensionMessage<UglooFetch>
{
    public UglooFetch(long requestId, ReadOnlySpan<byte> fragmentId, long offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        RequestId = requestId;
        FragmentId = ExtensionCodec.CheckId(fragmentId, nameof(fragmentId));
        Offset = offset;
        Length = length;
    }

    public static string Name => ExtensionNames.Fetch;

    public long RequestId { get; }

    public byte[] FragmentId { get; }

    public long Offset { get; }

    public int Length { get; }

    public ReadOnlyMemory<byte> Data => default;

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        d.Set("id", FragmentId);
        d.Set("off", Offset);
        d.Set("len", Length);
        return d;
    }

    public static UglooFetch FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        ExtensionCodec.RequireNoData(data, Name);
        return new UglooFetch(
            ExtensionCodec.RequireInteger(header, "rid", long.MinValue),
            ExtensionCodec.RequireBytes(header, "id", ExtensionCodec.IdLength),
            ExtensionCodec.RequireInteger(header, "off"),
            (int)ExtensionCodec.RequireInteger(header, "len", 1, int.MaxValue));
    }
}
