namespace Ugloo.Node.Repair;

/// <summary>
/// Repair's counters, written by <see cref="RepairService"/> and reported by ugloo_status. The per-state
/// segment counts describe the last finished check; the rebuilt and moved totals count since start-up.
/// </summary>
internal sealed class RepairProgress
{
    private long _held;
    private long _responsible;
    private long _redundant;
    private long _degraded;
    private long _atRisk;
    private long _lost;
    private long _queue;
    private long _rounds;
    private long _lastRoundUnixSeconds;
    private long _fragmentsRebuilt;
    private long _bytesRebuilt;
    private long _fragmentsMoved;
    private long _bytesMoved;
    private long _failures;

    public long FragmentsRebuilt => Interlocked.Read(ref _fragmentsRebuilt);

    public long Rounds => Interlocked.Read(ref _rounds);

    public void Checked(int held, int responsible, IReadOnlyDictionary<SegmentState, int> states, int queue)
    {
        ArgumentNullException.ThrowIfNull(states);
        Interlocked.Exchange(ref _held, held);
        Interlocked.Exchange(ref _responsible, responsible);
        Interlocked.Exchange(ref _redundant, states.GetValueOrDefault(SegmentState.Redundant));
        Interlocked.Exchange(ref _degraded, states.GetValueOrDefault(SegmentState.Degraded));
        Interlocked.Exchange(ref _atRisk, states.GetValueOrDefault(SegmentState.AtRisk));
        Interlocked.Exchange(ref _lost, states.GetValueOrDefault(SegmentState.Lost));
        Interlocked.Exchange(ref _queue, queue);
    }

    public void Dequeued() => Interlocked.Decrement(ref _queue);

    public void Rebuilt(long bytes)
    {
        Interlocked.Increment(ref _fragmentsRebuilt);
        Interlocked.Add(ref _bytesRebuilt, bytes);
    }

    public void Moved(long bytes)
    {
        Interlocked.Increment(ref _fragmentsMoved);
        Interlocked.Add(ref _bytesMoved, bytes);
    }

    public void Failed() => Interlocked.Increment(ref _failures);

    public void RoundFinished(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _lastRoundUnixSeconds, now.ToUnixTimeSeconds());
        Interlocked.Increment(ref _rounds);
    }

    /// <summary>Adds the figures under their ugloo_status names (docs/PROTOCOL.md).</summary>
    public void Report(IDictionary<string, long> figures)
    {
        figures["repair_segments_held"] = Interlocked.Read(ref _held);
        figures["repair_responsible"] = Interlocked.Read(ref _responsible);
        figures["repair_redundant"] = Interlocked.Read(ref _redundant);
        figures["repair_degraded"] = Interlocked.Read(ref _degraded);
        figures["repair_at_risk"] = Interlocked.Read(ref _atRisk);
        figures["repair_lost"] = Interlocked.Read(ref _lost);
        figures["repair_queue"] = Interlocked.Read(ref _queue);
        figures["repair_rounds"] = Rounds;
        figures["repair_last_round"] = Interlocked.Read(ref _lastRoundUnixSeconds);
        figures["repair_fragments_rebuilt"] = FragmentsRebuilt;
        figures["repair_bytes_rebuilt"] = Interlocked.Read(ref _bytesRebuilt);
        figures["repair_fragments_moved"] = Interlocked.Read(ref _fragmentsMoved);
        figures["repair_bytes_moved"] = Interlocked.Read(ref _bytesMoved);
        figures["repair_failures"] = Interlocked.Read(ref _failures);
    }
}
