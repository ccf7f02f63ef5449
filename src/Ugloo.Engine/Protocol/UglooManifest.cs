using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_manifest: the public part of an object's manifest (sizes, k, m, fragment hashes; never
/// keys or names, DESIGN.md invariant 1), pushed to the nodes responsible for repair, or asked for.
/// <code>
/// push / answer:  d 3:mid 32:&lt;manifest id&gt; 3:rid i&lt;rid&gt;e e &lt;manifest bytes&gt;
/// query:          d 3:mid 32:&lt;manifest id&gt; 1:q i1e 3:rid i&lt;rid&gt;e e
/// not found:      d 3:err 9:not_found 3:mid 32:&lt;id&gt; 6:reason &lt;text&gt; 3:rid i&lt;rid&gt;e e
/// </code>
/// The manifest id is SHA-256 of the manifest bytes; the receiver checks it before keeping them.
/// The manifest format itself belongs to the objects layer: here it is opaque bytes.
/// </summary>
internal sealed class UglooManifest : IExtensionMessage<UglooManifest>
{
    public UglooManifest(long requestId, ReadOnlySpan<byte> manifestId, bool isQuery, ReadOnlyMemory<byte> data, string? error = null, string? reason = null)
    {
        if (isQuery && !data.IsEmpty)
        {
            throw new ArgumentException("A query carries no manifest bytes.", nameof(data));
        }

        RequestId = requestId;
        ManifestId = ExtensionCodec.CheckId(manifestId, nameof(manifestId));
        IsQuery = isQuery;
        Data = data;
        Error = error;
        Reason = reason;
    }

    public static string Name => ExtensionNames.Manifest;

    public long RequestId { get; }

    public byte[] ManifestId { get; }

    public bool IsQuery { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public string? Error { get; }

    public string? Reason { get; }

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        d.Set("mid", ManifestId);
        if (IsQuery)
        {
            d.Set("q", 1);
        }

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

    public static UglooManifest FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        long rid = ExtensionCodec.OptionalInteger(header, "rid", 0, long.MinValue);
        byte[] mid = ExtensionCodec.RequireBytes(header, "mid", ExtensionCodec.IdLength);
        bool query = ExtensionCodec.OptionalInteger(header, "q", 0, 0, 1) == 1;
        string? error = ExtensionCodec.OptionalString(header, "err");
        if ((query || error is not null) && !data.IsEmpty)
        {
            throw new PeerProtocolException("ugloo_manifest query or error carries manifest bytes.");
        }

        return new UglooManifest(rid, mid, query, data, error, ExtensionCodec.OptionalString(header, "reason"));
    }
}
