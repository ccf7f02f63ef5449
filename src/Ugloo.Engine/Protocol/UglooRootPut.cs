using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_root_put: a client hands a node the signed root pointer of a volume's catalog; the node keeps it
/// when its signature verifies under the volume id it carries and its sequence is higher than the one held.
/// <code>
/// request: d 1:q i1e 3:rid i&lt;rid&gt;e e &lt;root pointer bytes&gt;
/// answer:  d 3:rid i&lt;rid&gt;e 3:seq i&lt;sequence the node holds now, 0 for none&gt;e e
/// refusal: d 3:err &lt;code&gt; 6:reason &lt;text&gt; 3:rid i&lt;rid&gt;e 3:seq i&lt;held&gt;e e
/// </code>
/// Codes: "stale" (the node holds this sequence or a higher one: "seq" says which), "bad_request" (not a
/// root pointer, or its signature does not verify), "unauthorized" (the connection did not pass ugloo_auth).
/// The pointer bytes are the layout of <c>Catalog.Backup.RootPointer</c>; here they are opaque.
/// </summary>
internal sealed class UglooRootPut : IExtensionMessage<UglooRootPut>
{
    public const string StaleCode = "stale";

    private UglooRootPut(long requestId, bool isQuery, long sequence, ReadOnlyMemory<byte> data, string? error, string? reason)
    {
        RequestId = requestId;
        IsQuery = isQuery;
        Sequence = sequence;
        Data = data;
        Error = error;
        Reason = reason;
    }

    public static string Name => ExtensionNames.RootPut;

    public long RequestId { get; }

    public bool IsQuery { get; }

    /// <summary>In an answer, the sequence the node holds after the request.</summary>
    public long Sequence { get; }

    /// <summary>The pointer bytes (requests only).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public string? Error { get; }

    public string? Reason { get; }

    public bool Ok => Error is null;

    public static UglooRootPut Request(long requestId, ReadOnlyMemory<byte> pointer) => new(requestId, true, 0, pointer, null, null);

    public static UglooRootPut Accepted(long requestId, long sequence) => new(requestId, false, sequence, default, null, null);

    public static UglooRootPut Refused(long requestId, long sequence, string error, string reason) => new(requestId, false, sequence, default, error, reason);

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        if (IsQuery)
        {
            d.Set("q", 1);
        }
        else
        {
            d.Set("seq", Sequence);
        }

        if (Error is not null)
        {
            d.Set("err", Error);
            d.Set("reason", Reason ?? "");
        }

        return d;
    }

    public static UglooRootPut FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        long rid = ExtensionCodec.OptionalInteger(header, "rid", 0, long.MinValue);
        bool query = ExtensionCodec.OptionalInteger(header, "q", 0, 0, 1) == 1;
        if (query)
        {
            if (data.IsEmpty)
            {
                throw new PeerProtocolException("ugloo_root_put request carries no pointer.");
            }

            return Request(rid, data);
        }

        ExtensionCodec.RequireNoData(data, Name);
        return new UglooRootPut(rid, false, ExtensionCodec.RequireInteger(header, "seq"), default, ExtensionCodec.OptionalString(header, "err"), ExtensionCodec.OptionalString(header, "reason"));
    }
}
