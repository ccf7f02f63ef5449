using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_root_get: asks a node for the root pointer it holds for a volume.
/// <code>
/// query:     d 1:q i1e 3:rid i&lt;rid&gt;e 3:vol 32:&lt;volume id&gt; e
/// answer:    d 3:rid i&lt;rid&gt;e 3:vol 32:&lt;volume id&gt; e &lt;root pointer bytes&gt;
/// not found: d 3:err 9:not_found 6:reason &lt;text&gt; 3:rid i&lt;rid&gt;e 3:vol 32:&lt;volume id&gt; e
/// </code>
/// The volume id is the Ed25519 public key that signs the volume's pointers. The asker verifies what comes
/// back (a node may lie; it cannot forge a signature).
/// </summary>
internal sealed class UglooRootGet : IExtensionMessage<UglooRootGet>
{
    private UglooRootGet(long requestId, bool isQuery, byte[] volumeId, ReadOnlyMemory<byte> data, string? error, string? reason)
    {
        RequestId = requestId;
        IsQuery = isQuery;
        VolumeId = ExtensionCodec.CheckId(volumeId, nameof(volumeId));
        Data = data;
        Error = error;
        Reason = reason;
    }

    public static string Name => ExtensionNames.RootGet;

    public long RequestId { get; }

    public bool IsQuery { get; }

    public byte[] VolumeId { get; }

    /// <summary>The pointer bytes (answers only).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    public string? Error { get; }

    public string? Reason { get; }

    public static UglooRootGet Query(long requestId, byte[] volumeId) => new(requestId, true, volumeId, default, null, null);

    public static UglooRootGet Found(long requestId, byte[] volumeId, ReadOnlyMemory<byte> pointer) => new(requestId, false, volumeId, pointer, null, null);

    public static UglooRootGet NotFound(long requestId, byte[] volumeId, string reason) => new(requestId, false, volumeId, default, UglooErrorCodes.NotFound, reason);

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        d.Set("vol", VolumeId);
        if (IsQuery)
        {
            d.Set("q", 1);
        }

        if (Error is not null)
        {
            d.Set("err", Error);
            d.Set("reason", Reason ?? "");
        }

        return d;
    }

    public static UglooRootGet FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        long rid = ExtensionCodec.OptionalInteger(header, "rid", 0, long.MinValue);
        byte[] volumeId = ExtensionCodec.RequireBytes(header, "vol", ExtensionCodec.IdLength);
        bool query = ExtensionCodec.OptionalInteger(header, "q", 0, 0, 1) == 1;
        string? error = ExtensionCodec.OptionalString(header, "err");
        if ((query || error is not null) && !data.IsEmpty)
        {
            throw new PeerProtocolException("ugloo_root_get query or error carries pointer bytes.");
        }

        if (!query && error is null && data.IsEmpty)
        {
            throw new PeerProtocolException("ugloo_root_get answer carries no pointer.");
        }

        return new UglooRootGet(rid, query, volumeId, data, error, ExtensionCodec.OptionalString(header, "reason"));
    }
}
