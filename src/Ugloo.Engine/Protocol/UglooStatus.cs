using System.Text;
using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_status: a node's health figures (what it holds, scrub and repair counters), asked by a member or
/// a client of the cluster and answered under the same rid.
/// <code>
/// query:  d [5:drain i0e|i1e] 1:q i1e 3:rid i&lt;rid&gt;e e
///         "drain" (authenticated members and clients only) first starts (1) or stops (0) draining the node
/// answer: d 3:rid i&lt;rid&gt;e 5:stats d &lt;name&gt; i&lt;value&gt;e ... e e
/// </code>
/// The figures are a flat dictionary of named integers (docs/PROTOCOL.md lists the names), so a newer node
/// can add figures without breaking an older reader, which keeps the names it does not know as they are.
/// </summary>
internal sealed class UglooStatus : IExtensionMessage<UglooStatus>
{
    /// <summary>Bounds what one answer can make us keep.</summary>
    public const int MaxFigures = 256;

    public UglooStatus(long requestId, bool isQuery, IReadOnlyDictionary<string, long>? figures = null, bool? drain = null)
    {
        Drain = drain;
        RequestId = requestId;
        IsQuery = isQuery;
        Figures = figures ?? new Dictionary<string, long>();
    }

    public static string Name => ExtensionNames.Status;

    public long RequestId { get; }

    public bool IsQuery { get; }

    public IReadOnlyDictionary<string, long> Figures { get; }

    /// <summary>In a query: start (true) or stop (false) draining the node before answering; null leaves it.</summary>
    public bool? Drain { get; }

    public ReadOnlyMemory<byte> Data => default;

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("rid", RequestId);
        if (IsQuery)
        {
            d.Set("q", 1);
            if (Drain is bool drain)
            {
                d.Set("drain", drain ? 1 : 0);
            }
        }
        else
        {
            var stats = new BDictionary();
            foreach ((string name, long value) in Figures)
            {
                stats.Set(name, value);
            }

            d.Set("stats", stats);
        }

        return d;
    }

    public static UglooStatus FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        ExtensionCodec.RequireNoData(data, Name);
        long rid = ExtensionCodec.RequireInteger(header, "rid", long.MinValue);
        bool query = ExtensionCodec.OptionalInteger(header, "q", 0, 0, 1) == 1;
        if (query)
        {
            bool? drain = header.TryGetValue("drain", out _) ? ExtensionCodec.RequireInteger(header, "drain", 0, 1) == 1 : null;
            return new UglooStatus(rid, isQuery: true, drain: drain);
        }

        BDictionary stats = header.GetDictionary("stats") ?? throw new PeerProtocolException("ugloo_status answer without a \"stats\" dictionary.");
        if (stats.Count > MaxFigures)
        {
            throw new PeerProtocolException($"ugloo_status with {stats.Count} figures; the limit is {MaxFigures}.");
        }

        var figures = new Dictionary<string, long>(stats.Count, StringComparer.Ordinal);
        foreach (KeyValuePair<byte[], BValue> entry in stats.Entries)
        {
            if (entry.Value is not BInteger value)
            {
                throw new PeerProtocolException("ugloo_status figure is not an integer.");
            }

            figures[Encoding.UTF8.GetString(entry.Key)] = value.Value;
        }

        return new UglooStatus(rid, isQuery: false, figures);
    }
}
