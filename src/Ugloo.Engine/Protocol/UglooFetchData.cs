using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_fetch_data: the answer to ugloo_fetch.
/// <code>
/// success:  d 3:off i&lt;offset&gt;e 3:rid i&lt;request id&gt;e 5:total i&lt;fragment length&gt;e e &lt;data&gt;
/// failure:  d 3:err &lt;code&gt; 6:reason &lt;text&gt; 3:rid i&lt;request id&gt;e e            (no data)
/// </code>
/// The data may be shorter than asked when the range reaches the end of the fragment. The fetcher
/// verifies the whole fragment against its id once assembled (DESIGN.md invariant 2).
/// </summary>
internal sealed class UglooFetchData : IExtensionMessage<UglooFetchData>
{
    private UglooFetchData(long requestId, long totalLength, long offset, ReadOnlyMemory<byte> data, string? error, string? reason)
    {
        RequestId = requestId;
        TotalLength = totalLength;
        Offset = offset;
        Data = data;
        Error = error;
        Reason = reason;
    }

    public static string Name => ExtensionNames.FetchData;

    public long RequestId { get; }

    public long TotalLength { get; }

    public long Offset { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public bool Ok => Error is null;

    public string? Error { get; }

    public string? Reason { get; }

    public static UglooFetchData Success(long requestId, long totalLength, long offset, ReadOnlyMemory<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + data.Length, totalLength);
        return new(requestId, totalLength, offset, data, null, null);
    }

    public static UglooFetchData Failure(long requestId, string error, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new(requestId, 0, 0, default, error, reason);
    }

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        if (Error is not null)
        {
            d.Set("err", Error);
            if (Reason is not null)
            {
                d.Set("reason", Reason);
            }
        }
        else
        {
            d.Set("total", TotalLength);
            d.Set("off", Offset);
        }

        return d;
    }

    public static UglooFetchData FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        long rid = ExtensionCodec.RequireInteger(header, "rid", long.MinValue);
        string? error = ExtensionCodec.OptionalString(header, "err");
        if (error is not null)
        {
            ExtensionCodec.RequireNoData(data, Name);
            return new(rid, 0, 0, default, error, ExtensionCodec.OptionalString(header, "reason"));
        }

        long total = ExtensionCodec.RequireInteger(header, "total");
        long offset = ExtensionCodec.RequireInteger(header, "off");
        if (offset > total || data.Length > total - offset)
        {
            throw new PeerProtocolException($"ugloo_fetch_data [{offset}, +{data.Length}) lies outside a fragment of {total} bytes.");
        }

        return new(rid, total, offset, data, null, null);
    }
}
