using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>One cluster member as gossiped by ugloo_pex.</summary>
/// <param name="NodeId">32-byte node id.</param>
/// <param name="Address">"host:port" of its peer listener ("[v6]:port" for IPv6).</param>
/// <param name="CapacityBytes">Bytes the node offers for fragments.</param>
/// <param name="FreeBytes">Bytes still free.</param>
/// <param name="Site">Failure domain label used by placement; may be empty.</param>
/// <param name="State">"up", "draining", "down" or a newer state; receivers keep unknown ones as text.</param>
internal sealed record PexMember(byte[] NodeId, string Address, long CapacityBytes, long FreeBytes, string Site, string State);

/// <summary>
/// ugloo_pex: cluster membership gossip (after BEP 11's ut_pex, but authenticated connections only
/// and with what placement needs).
/// <code>
/// d
///   7:dropped &lt;32*n bytes&gt;     node ids that left (compact), optional
///   7:members l
///     d 4:addr &lt;host:port&gt; 3:cap i&lt;bytes&gt;e 4:free i&lt;bytes&gt;e 2:id 32:&lt;node id&gt; 4:site &lt;text&gt; 5:state &lt;text&gt; e
///     ...
///   e
/// e
/// </code>
/// </summary>
internal sealed class UglooPex : IExtensionMessage<UglooPex>
{
    /// <summary>Bounds the gossip one message can make us process.</summary>
    public const int MaxMembers = 4096;

    public UglooPex(IReadOnlyList<PexMember> members, IReadOnlyList<byte[]>? dropped = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        Members = members;
        Dropped = dropped ?? [];
    }

    public static string Name => ExtensionNames.Pex;

    public IReadOnlyList<PexMember> Members { get; }

    public IReadOnlyList<byte[]> Dropped { get; }

    public ReadOnlyMemory<byte> Data => default;

    public BDictionary ToHeader()
    {
        var list = new BList();
        foreach (PexMember m in Members)
        {
            var d = new BDictionary();
            d.Set("id", ExtensionCodec.CheckId(m.NodeId, nameof(Members)));
            d.Set("addr", m.Address);
            d.Set("cap", m.CapacityBytes);
            d.Set("free", m.FreeBytes);
            d.Set("site", m.Site);
            d.Set("state", m.State);
            list.Add(d);
        }

        var header = new BDictionary();
        header.Set("members", list);
        if (Dropped.Count > 0)
        {
            header.Set("dropped", ExtensionCodec.JoinIds(Dropped, nameof(Dropped)));
        }

        return header;
    }

    public static UglooPex FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        ExtensionCodec.RequireNoData(data, Name);
        BList list = header.GetList("members") ?? throw new PeerProtocolException("ugloo_pex without a \"members\" list.");
        if (list.Count > MaxMembers)
        {
            throw new PeerProtocolException($"ugloo_pex with {list.Count} members; the limit is {MaxMembers}.");
        }

        var members = new PexMember[list.Count];
        for (int i = 0; i < members.Length; i++)
        {
            BDictionary m = list[i] as BDictionary ?? throw new PeerProtocolException("ugloo_pex member is not a dictionary.");
            members[i] = new PexMember(
                ExtensionCodec.RequireBytes(m, "id", ExtensionCodec.IdLength),
                ExtensionCodec.OptionalString(m, "addr") ?? throw new PeerProtocolException("ugloo_pex member without \"addr\"."),
                ExtensionCodec.RequireInteger(m, "cap"),
                ExtensionCodec.RequireInteger(m, "free"),
                ExtensionCodec.OptionalString(m, "site") ?? string.Empty,
                ExtensionCodec.OptionalString(m, "state") ?? string.Empty);
        }

        IReadOnlyList<byte[]> dropped = header.TryGetBytes("dropped", out ReadOnlyMemory<byte> compact)
            ? ExtensionCodec.SplitIds(compact.Span, "dropped")
            : [];
        return new UglooPex(members, dropped);
    }
}
