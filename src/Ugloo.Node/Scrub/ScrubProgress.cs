namespace Ugloo.Node.Scrub;

/// <summary>
/// Scrub's counters, written by <see cref="ScrubService"/> and read by ugloo_status. Each figure is read and
/// written atomically; a reader may see a pass's figures from slightly different instants, which is fine for
/// a report.
/// </summary>
internal sealed class ScrubProgress
{
    private long _passes;
    private long _lastPassUnixSeconds;
    private long _errors;
    private long _verifiedBytes;
    private long _passFragments;
    private long _passFragmentsDone;
    private long _passBytes;
    private long _passBytesDone;

    /// <summary>Full passes finished since the node started.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Fragments that failed their check (quarantined) or could not be read, since the node started.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    public void BeginPass(int fragments, long bytes)
    {
        Interlocked.Exchange(ref _passFragments, fragments);
        Interlocked.Exchange(ref _passBytes, bytes);
        Interlocked.Exchange(ref _passFragmentsDone, 0);
        Interlocked.Exchange(ref _passBytesDone, 0);
    }

    public void Checked(long bytes, bool failed)
    {
        Interlocked.Increment(ref _passFragmentsDone);
        Interlocked.Add(ref _passBytesDone, bytes);
        Interlocked.Add(ref _verifiedBytes, bytes);
        if (failed)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    public void EndPass(DateTimeOffset finished)
    {
        Interlocked.Exchange(ref _lastPassUnixSeconds, finished.ToUnixTimeSeconds());
        Interlocked.Increment(ref _passes);
    }

    /// <summary>Adds the figures under their ugloo_status names (docs/PROTOCOL.md).</summary>
    public void Report(IDictionary<string, long> figures)
    {
        figures["scrub_passes"] = Passes;
        figures["scrub_last_pass"] = Interlocked.Read(ref _lastPassUnixSeconds);
        figures["scrub_errors"] = Errors;
        figures["scrub_bytes"] = Interlocked.Read(ref _verifiedBytes);
        figures["scrub_pass_fragments"] = Interlocked.Read(ref _passFragments);
        figures["scrub_pass_fragments_done"] = Interlocked.Read(ref _passFragmentsDone);
        figures["scrub_pass_bytes"] = Interlocked.Read(ref _passBytes);
        figures["scrub_pass_bytes_done"] = Interlocked.Read(ref _passBytesDone);
    }
}
