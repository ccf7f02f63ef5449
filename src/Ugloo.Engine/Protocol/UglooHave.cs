using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_have: which fragments a node holds. Three uses, one layout:
/// <code>
/// d
///   3:ids &lt;32*n bytes&gt;   fragment ids, concatenated (compact, as BEP 5 packs node ids)
///   1:q   i0e | i1e      1: query "which of these do you hold?"; 0: answer or announcement
///   3:rid i&lt;request id&gt;e  0 for an unsolicited announcement; a query's rid, echoed by its answer
/// e
/// </code>
/// An answer lists the subset of the queried ids the node holds (verified, not quarantined). At most
/// 32 Ki ids fit one message (1 MiB).
/// </summary>
internal sealed class UglooHave : IExtensionMessage<UglooHave>
{
    public UglooHave(long requestId, bool isQuery, IReadOnlyList<byte[]> fragmentIds)
    {
        ArgumentNullException.ThrowIfNull(fragmentIds);
        RequestId = requestId;
        IsQuery = isQuery;
        FragmentIds = fragmentIds;
    }

    public static string Name => ExtensionNames.Have;

    public long RequestId { get; }

    public bool IsQuery { get; }

    public IReadOnlyList<byte[]> FragmentIds { get; }

    public ReadOnlyMemory<byte> Data => default;

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        d.Set("q", IsQuery ? 1 : 0);
        d.Set("ids", ExtensionCodec.JoinIds(FragmentIds, nameof(FragmentIds)));
        return d;
    }

    public static UglooHave FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        ExtensionCodec.RequireNoData(data, Name);
        long rid = ExtensionCodec.OptionalInteger(header, "rid", 0, long.MinValue);
        bool query = ExtensionCodec.OptionalInteger(header, "q", 0, 0, 1) == 1;
        IReadOnlyList<byte[]> ids = ExtensionCodec.SplitIds(ExtensionCodec.RequireBytes(header, "ids"), "ids");
        return new UglooHave(rid, query, ids);
    }
}
