using System.Globalization;
using System.Text;
using System.Text.Json;
using Ugloo.Engine;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Swarm;

namespace Ugloo.Mount.Volume;

/// <summary>
/// What <c>ugloo status</c> reports: every node (configured or learned) up or down, and what the volume can
/// still lose. "Still tolerates" is the worst case for data stored while every node was up: the code's
/// fragments spread evenly (no node holds more than ceil(n/N)), the down nodes being the ones that held
/// the most. New writes are judged separately, over the nodes up now.
/// </summary>
internal sealed class VolumeStatus
{
    public required string DataDirectory { get; init; }

    public required VolumeConfig Config { get; init; }

    public required IReadOnlyList<NodeStatus> Nodes { get; init; }

    public required bool Reachable { get; init; }

    public int? UpPid { get; init; }

    public long Files { get; init; }

    public long Bytes { get; init; }

    /// <summary>What the swarm holds for the newest versions (fragments, parity included), each stored segment once.</summary>
    public long StoredBytes { get; init; }

    /// <summary>Segment redundancy as the nodes answer now; null when none answered.</summary>
    public SegmentHealth? Segments { get; set; }

    /// <summary>Closed files in a mount's write-back journal, not yet stored in the swarm, and their bytes.</summary>
    public (int Files, long Bytes) Pending { get; init; }

    public int NodesUp => Nodes.Count(n => n.Up);

    /// <summary>Segments the nodes' own repair has queued, summed over the nodes that reported figures; null when none did.</summary>
    public long? NodesRepairQueue =>
        Nodes.Any(n => n.Member?.Figures is not null)
            ? Nodes.Sum(n => n.Member?.Figures?.GetValueOrDefault("repair_queue") ?? 0)
            : null;

    /// <summary>Node losses the whole cluster survives with every node up.</summary>
    public int ToleratesWhenAllUp => Math.Max(0, SegmentDurability.ToleratedNodeLosses(Config.K, Config.M, Nodes.Count));

    /// <summary>Further node losses stored data survives now; -1 when it may already be unreadable.</summary>
    public int StillTolerates
    {
        get
        {
            int total = Nodes.Count;
            if (total == 0)
            {
                return -1;
            }

            int n = Config.K + Config.M;
            int[] perNode = [.. Enumerable.Range(0, total).Select(i => (n / total) + (i < n % total ? 1 : 0))];
            return SegmentDurability.ToleratedNodeLosses(perNode.Skip(total - NodesUp), Config.K);
        }
    }

    /// <summary>Node losses a write made now would survive (placement over the up nodes).</summary>
    public int NewWritesTolerate => NodesUp == 0 ? -1 : SegmentDurability.ToleratedNodeLosses(Config.K, Config.M, NodesUp);

    public bool Writable => NodesUp > 0 && NewWritesTolerate >= Config.RequiredNodeLosses;

    public static VolumeStatus Build(string dataDirectory, VolumeConfig config, IReadOnlyList<SwarmMember> members, bool reachable, VolumeCatalog catalog)
    {
        var nodes = new List<NodeStatus>();
        var byAddress = members.ToDictionary(m => m.Address, StringComparer.Ordinal);
        var addresses = config.Nodes.Select(n => n.Listen).Concat(config.Seeds).Distinct(StringComparer.Ordinal).ToList();
        foreach (string address in addresses)
        {
            int? index = config.Nodes.FirstOrDefault(n => n.Listen == address)?.Index;
            byAddress.Remove(address, out SwarmMember? member);
            int? pid = index is int i ? DataDirectoryLock.ReadLivePid(LocalCluster.NodeProcess.PidFile(Path.GetFullPath(config.Nodes[i].Data[0], dataDirectory)), "ugloo-node") : null;
            nodes.Add(new NodeStatus(index, address, member, pid));
        }

        // Members learned by peer exchange that the volume file does not list (joined from elsewhere).
        foreach (SwarmMember member in byAddress.Values.OrderBy(m => m.Address, StringComparer.Ordinal))
        {
            nodes.Add(new NodeStatus(null, member.Address, member, null));
        }

        long files = 0, bytes = 0, stored = 0;
        // Each stored segment counts once: small files packed together share their pack's segments, and the
        // newest versions of files restored or copied from one another share theirs.
        var counted = new HashSet<(ObjectId Id, int Segment, ulong Generation)>();
        foreach (CatalogVersion version in catalog.GetAllLatest())
        {
            files++;
            bytes += version.Size;
            ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);
            for (int segment = 0; segment < manifest.SegmentCount; segment++)
            {
                if (counted.Add((manifest.ObjectId, segment, manifest.GetGeneration(segment))))
                {
                    stored += (long)manifest.FragmentLength(segment) * manifest.TotalFragments;
                }
            }
        }

        return new VolumeStatus
        {
            DataDirectory = dataDirectory,
            Config = config,
            Nodes = nodes,
            Reachable = reachable,
            UpPid = DataDirectoryLock.ReadLivePid(DataDirectoryLock.PidFile(dataDirectory, DataDirectoryLock.Up), "ugloo"),
            Files = files,
            Bytes = bytes,
            StoredBytes = stored,
            Pending = catalog.GetPendingTotals(),
        };
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("data", DataDirectory);
            json.WriteBoolean("reachable", Reachable);
            json.WriteStartArray("nodes");
            foreach (NodeStatus node in Nodes)
            {
                json.WriteStartObject();
                if (node.Index is int index)
                {
                    json.WriteNumber("index", index);
                }
                else
                {
                    json.WriteNull("index");
                }

                WriteStringOrNull(json, "id", node.Member?.Id.ToString());
                json.WriteString("address", node.Address);
                json.WriteString("state", node.Up ? "up" : "down");
                WriteStringOrNull(json, "site", node.Member?.Site);
                WriteNumberOrNull(json, "capacity_bytes", node.Member?.CapacityBytes);
                WriteNumberOrNull(json, "free_bytes", node.Member?.FreeBytes);
                WriteNumberOrNull(json, "pid", node.Pid);
                WriteFigures(json, node.Member?.Figures);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("volume");
            json.WriteNumber("k", Config.K);
            json.WriteNumber("m", Config.M);
            json.WriteNumber("segment_size", Config.SegmentSize);
            json.WriteNumber("nodes_total", Nodes.Count);
            json.WriteNumber("nodes_up", NodesUp);
            json.WriteNumber("tolerates_node_losses", Math.Max(0, StillTolerates));
            json.WriteNumber("tolerates_node_losses_when_all_up", ToleratesWhenAllUp);
            json.WriteBoolean("data_readable", StillTolerates >= 0);
            json.WriteNumber("required_node_losses", Config.RequiredNodeLosses);
            json.WriteBoolean("writable", Writable);
            json.WriteNumber("files", Files);
            json.WriteNumber("bytes", Bytes);
            json.WriteNumber("stored_bytes", StoredBytes);
            json.WriteNumber("pending_files", Pending.Files);
            json.WriteNumber("pending_bytes", Pending.Bytes);
            SegmentHealth.WriteJson(json, Segments, NodesRepairQueue);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public string ToText()
    {
        var o = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        o.AppendLine(c, $"Volume    {DataDirectory}");
        o.AppendLine(c, $"  code    {Config.CodeName}, {ByteSize.Format(Config.SegmentSize)} segments; writes must survive {Words.NodeLosses(Config.RequiredNodeLosses)}");
        o.AppendLine(c, $"  files   {Files} ({ByteSize.Format(Bytes)}; {ByteSize.Format(StoredBytes)} stored with parity)");
        o.AppendLine(c, $"  pending {(Pending.Files == 0 ? "nothing" : $"{Pending.Files} closed files ({ByteSize.Format(Pending.Bytes)}) in the mount's write-back journal, not yet in the swarm")}");
        o.AppendLine(c, $"  ugloo up {(UpPid is int pid ? $"running (pid {pid})" : "not running for this data directory")}");
        o.AppendLine(c, $"Nodes     {NodesUp} of {Nodes.Count} up");
        foreach (NodeStatus node in Nodes)
        {
            string index = node.Index is int i ? i.ToString(c) : "-";
            string state = node.Up ? "up  " : "DOWN";
            string detail = node.Member is SwarmMember m
                ? $"id {m.Id.ToString()[..12]}  site {m.Site}  free {ByteSize.Format(m.FreeBytes)} of {ByteSize.Format(m.CapacityBytes)}"
                : "never answered this client";
            if (node.Member?.Figures is { } f)
            {
                detail += $"  holds {f.GetValueOrDefault("fragments")} fragments, scrub found {f.GetValueOrDefault("scrub_errors")} bad, repair queue {f.GetValueOrDefault("repair_queue")}";
            }

            o.AppendLine(c, $"  {index,-3} {node.Address,-21} {state}  {detail}");
        }

        o.Append("Durability ");
        int down = Nodes.Count - NodesUp;
        int still = StillTolerates;
        if (!Reachable)
        {
            o.AppendLine("unknown: no node answers. Start the cluster with 'ugloo up'.");
        }
        else if (still < 0)
        {
            o.AppendLine(c, $"at risk: {down} of {Nodes.Count} nodes are down, more than {Config.CodeName} tolerates; files may be unreadable until nodes come back.");
        }
        else if (down == 0)
        {
            o.AppendLine(c, $"the volume can lose {Words.AnyNodes(still)} and still read every file.");
        }
        else if (still == 0)
        {
            o.AppendLine(c, $"{down} node(s) down: every file still reads, but the volume can lose no more nodes. Bring the down nodes back.");
        }
        else
        {
            o.AppendLine(c, $"{down} node(s) down: the volume can still lose {Words.AnyNodes(still)} and read every file.");
        }

        if (Segments is not null)
        {
            o.AppendLine(Segments.Describe());
        }

        if (Reachable)
        {
            o.AppendLine(Writable
                ? $"Writes    accepted: a write now survives {Words.NodeLosses(NewWritesTolerate)} (required: {Config.RequiredNodeLosses})."
                : $"Writes    refused: {NodesUp} up node(s) give writes {Words.NodeLosses(NewWritesTolerate)}, and the volume requires {Words.NodeLosses(Config.RequiredNodeLosses)}.");
        }

        return o.ToString();
    }

    /// <summary>The node's own figures (ugloo_status, docs/PROTOCOL.md) under "health", or null when it did not answer.</summary>
    private static void WriteFigures(Utf8JsonWriter json, IReadOnlyDictionary<string, long>? figures)
    {
        if (figures is null)
        {
            json.WriteNull("health");
            return;
        }

        json.WriteStartObject("health");
        foreach ((string name, long value) in figures.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(name, value);
        }

        json.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is long v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}

/// <summary>One node in <c>ugloo status</c>: its place in volume.json (if any), address, and what it last said.</summary>
internal sealed record NodeStatus(int? Index, string Address, SwarmMember? Member, int? Pid)
{
    public bool Up => Member?.State == NodeState.Up;
}
