using Ugloo.Engine;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Repair;

/// <summary>
/// How the node checks and rebuilds the segments it is responsible for (section "Node:Repair";
/// <c>--repair-interval</c>, <c>--lost-after</c>, <c>--repair-rate</c>).
/// </summary>
internal sealed class RepairOptions
{
    /// <summary>
    /// Pause between two checks of every segment the node holds a fragment of, e.g. "1m". Default 1 minute.
    /// Each check asks every up member which of those segments' fragments it holds (ugloo_have), so a
    /// shorter interval finds losses sooner and costs more queries.
    /// </summary>
    public string Interval { get; init; } = "1m";

    /// <summary>
    /// How long a member must have been silent before its fragments count as lost and are rebuilt elsewhere,
    /// e.g. "10m". Default 10 minutes: long enough for a reboot or a service restart, which must not cost a
    /// rebuild of everything the node held. Must exceed <c>--down-after</c>.
    /// </summary>
    public string LostAfter { get; init; } = "10m";

    /// <summary>
    /// Most bytes per second repair moves (fragments fetched plus fragments stored), e.g. "50M". Default
    /// 50 MiB/s, so rebuilding never starves client I/O; higher shortens the window of reduced redundancy.
    /// </summary>
    public string Rate { get; init; } = "50M";

    public TimeSpan IntervalValue => Duration.TryParse(Interval, out TimeSpan t) ? t : TimeSpan.FromMinutes(1);

    public TimeSpan LostAfterValue => Duration.TryParse(LostAfter, out TimeSpan t) ? t : TimeSpan.FromMinutes(10);

    public long RateValue => ByteSize.TryParse(Rate, out long bytes) && bytes > 0 ? bytes : 50L << 20;

    public void Validate(TimeSpan downAfter)
    {
        if (!Duration.TryParse(Interval, out TimeSpan interval) || interval <= TimeSpan.Zero)
        {
            throw new OptionsException($"--repair-interval '{Interval}' is not a duration such as 1m or 30s.");
        }

        if (!Duration.TryParse(LostAfter, out TimeSpan lost) || lost <= TimeSpan.Zero)
        {
            throw new OptionsException($"--lost-after '{LostAfter}' is not a duration such as 10m.");
        }

        if (lost <= downAfter)
        {
            throw new OptionsException($"--lost-after {LostAfter} must be longer than --down-after ({Duration.Format(downAfter)}).");
        }

        if (!ByteSize.TryParse(Rate, out long rate) || rate <= 0)
        {
            throw new OptionsException($"--repair-rate '{Rate}' is not a size per second such as 50M.");
        }
    }
}
