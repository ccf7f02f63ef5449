using Ugloo.Engine;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Scrub;

/// <summary>
/// How the node re-hashes what it holds (section "Node:Scrub"; <c>--scrub-interval</c>, <c>--scrub-rate</c>).
/// </summary>
internal sealed class ScrubOptions
{
    /// <summary>
    /// Pause between the end of one full pass and the start of the next, e.g. "168h". Default 168 h (weekly,
    /// as Ceph's deep scrub). The first pass starts after the smaller of this and 10 minutes, so a node that
    /// restarts more often than the interval still gets scrubbed.
    /// </summary>
    public string Interval { get; init; } = "168h";

    /// <summary>
    /// Most bytes per second scrub reads, e.g. "50M". Default 50 MiB/s: a 10 TB node is scrubbed in about two
    /// and a half days while leaving most of a disk's bandwidth to clients. Higher finds rot sooner and
    /// competes with client reads.
    /// </summary>
    public string Rate { get; init; } = "50M";

    public TimeSpan IntervalValue => Duration.TryParse(Interval, out TimeSpan t) ? t : TimeSpan.FromHours(168);

    public long RateValue => ByteSize.TryParse(Rate, out long bytes) && bytes > 0 ? bytes : 50L << 20;

    /// <summary>When the first pass after start-up begins.</summary>
    public TimeSpan FirstPassDelay => IntervalValue < TimeSpan.FromMinutes(10) ? IntervalValue : TimeSpan.FromMinutes(10);

    public void Validate()
    {
        if (!Duration.TryParse(Interval, out TimeSpan interval) || interval <= TimeSpan.Zero)
        {
            throw new OptionsException($"--scrub-interval '{Interval}' is not a duration such as 168h or 30m.");
        }

        if (!ByteSize.TryParse(Rate, out long rate) || rate <= 0)
        {
            throw new OptionsException($"--scrub-rate '{Rate}' is not a size per second such as 50M.");
        }
    }
}
