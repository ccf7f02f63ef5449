using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_store_result: the answer to an ugloo_store upload.
/// <code>
/// d
///   3:err    &lt;code&gt;       only when ok is 0; see <see cref="UglooErrorCodes"/>
///   2:ok     i1e | i0e    1: the fragment hashed to its id and is durable on disk
///   6:reason &lt;text&gt;       optional, UTF-8, for logs and users
///   3:rid    i&lt;request id&gt;e
/// e
/// </code>
/// </summary>
internal sealed class UglooStoreResult : IExtensionMessage<UglooStoreResult>
{
    private UglooStoreResult(long requestId, string? error, string? reason)
    {
        RequestId = requestId;
        Error = error;
        Reason = reason;
    }

    public static string Name => ExtensionNames.StoreResult;

    public long RequestId { get; }

    public bool Ok => Error is null;

    /// <summary>Null when <see cref="Ok"/>; otherwise a code of <see cref="UglooErrorCodes"/> (or a newer one).</summary>
    public string? Error { get; }

    public string? Reason { get; }

    public ReadOnlyMemory<byte> Data => default;

    public static UglooStoreResult Success(long requestId) => new(requestId, null, null);

    public static UglooStoreResult Failure(long requestId, string error, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new(requestId, error, reason);
    }

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        d.Set("ok", Ok ? 1 : 0);
        if (Error is not null)
        {
            d.Set("err", Error);
        }

        if (Reason is not null)
        {
            d.Set("reason", Reason);
        }

        return d;
    }

    public static UglooStoreResult FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        ExtensionCodec.RequireNoData(data, Name);
        long rid = ExtensionCodec.RequireInteger(header, "rid", long.MinValue);
        bool ok = ExtensionCodec.RequireInteger(header, "ok", 0, 1) == 1;
        string? error = ExtensionCodec.OptionalString(header, "err");
        string? reason = ExtensionCodec.OptionalString(header, "reason");
        if (ok != (error is null))
        {
            throw new PeerProtocolException("ugloo_store_result must carry \"err\" exactly when \"ok\" is 0.");
        }

        return ok ? new(rid, null, reason) : new(rid, error, reason);
    }
}
