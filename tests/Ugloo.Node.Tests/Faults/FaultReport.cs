using System.Text.Json.Serialization;

namespace Ugloo.Node.Tests.Faults;

/// <summary>What a fault-injection run measured. The first two figures must be 0.</summary>
internal sealed record FaultReport
{
    /// <summary>Acknowledged objects that could not be read back at the end, or read back with other bytes at any time.</summary>
    [JsonPropertyName("acknowledged_lost_or_corrupt")]
    public int AcknowledgedLostOrCorrupt { get; init; }

    /// <summary>Reads of acknowledged objects that failed while no more nodes were impaired than the volume tolerates (always the case: the schedule never exceeds it).</summary>
    [JsonPropertyName("reads_failed_within_tolerance")]
    public int ReadsFailedWithinTolerance { get; init; }

    [JsonPropertyName("fully_redundant")]
    public bool FullyRedundant { get; init; }

    /// <summary>Seconds from the end of the last fault until every segment of every acknowledged object had n fragments on live nodes.</summary>
    [JsonPropertyName("seconds_last_fault_to_full_redundancy")]
    public double SecondsToFullRedundancy { get; init; }

    [JsonPropertyName("writes_acknowledged")]
    public int WritesAcknowledged { get; init; }

    /// <summary>Writes that failed (refused for durability, timed out); never acknowledged, so never counted as lost.</summary>
    [JsonPropertyName("writes_failed")]
    public int WritesFailed { get; init; }

    [JsonPropertyName("bytes_acknowledged")]
    public long BytesAcknowledged { get; init; }

    [JsonPropertyName("reads_ok")]
    public int ReadsOk { get; init; }

    [JsonPropertyName("faults")]
    public IReadOnlyDictionary<string, int> Faults { get; init; } = new Dictionary<string, int>();

    [JsonPropertyName("fragments_rebuilt")]
    public long FragmentsRebuilt { get; init; }

    [JsonPropertyName("bytes_rebuilt")]
    public long BytesRebuilt { get; init; }

    [JsonPropertyName("bytes_moved")]
    public long BytesMoved { get; init; }

    /// <summary>Rebalancing bytes (copies to a new home) per byte rebuilt by repair, over the whole run and all nodes.</summary>
    [JsonPropertyName("bytes_moved_per_byte_rebuilt")]
    public double? BytesMovedPerByteRebuilt { get; init; }

    /// <summary>Fragments moved while a node joined, per fragment of the objects written before the join that ended on it (the minimum).</summary>
    [JsonPropertyName("join_moved_vs_minimum")]
    public double? JoinMovedVsMinimum { get; init; }

    /// <summary>Writes acknowledged while one node was full, and that node's free bytes at the end of it.</summary>
    [JsonPropertyName("writes_while_a_node_was_full")]
    public int WritesWhileFull { get; init; }

    [JsonPropertyName("full_node_free_bytes")]
    public long? FullNodeFreeBytes { get; init; }

    [JsonPropertyName("seconds")]
    public double Seconds { get; init; }

    [JsonPropertyName("seed")]
    public int Seed { get; init; }

    [JsonPropertyName("problems")]
    public IReadOnlyList<string> Problems { get; init; } = [];
}
