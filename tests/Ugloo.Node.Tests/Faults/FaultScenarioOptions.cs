namespace Ugloo.Node.Tests.Faults;

/// <summary>Shape of one fault-injection run. Defaults are the short CI run.</summary>
internal sealed class FaultScenarioOptions
{
    /// <summary>ugloo-node processes started before the workload. Default 7 (n + 1 for RS(4,2)).</summary>
    public int Nodes { get; init; } = 7;

    /// <summary>Data fragments k. Default 4.</summary>
    public int DataFragments { get; init; } = 4;

    /// <summary>Parity fragments m. Default 2.</summary>
    public int ParityFragments { get; init; } = 2;

    /// <summary>Segment size: small, so that even small objects span segments and fragments are many. Default 64 KiB.</summary>
    public int SegmentSize { get; init; } = 64 << 10;

    /// <summary>Largest object the writer writes (sizes are uniform in 1 byte .. this). Default 256 KiB.</summary>
    public int MaxObjectSize { get; init; } = 256 << 10;

    /// <summary>Pause between two writes, so a long run does not fill the disks. Default 50 ms.</summary>
    public TimeSpan WritePause { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long faults keep coming; the last fault starts before this ends. Default 40 s.</summary>
    public TimeSpan FaultDuration { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How long each fault lasts before it is healed (uniform in half .. this). Default 6 s (beyond lost-after, so kills are rebuilt around).</summary>
    public TimeSpan FaultHold { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Seed of every random choice (sizes, victims, fault order); printed in the report so a failure can be replayed.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The client-to-node rate of the slowed node. Default 128 KiB/s.</summary>
    public int SlowBytesPerSecond { get; init; } = 128 << 10;

    /// <summary>Capacity every node offers (also its placement weight). Default 1 GiB.</summary>
    public string NodeCapacity { get; init; } = "1G";

    /// <summary>Node arguments that make scrub and repair act within seconds.</summary>
    public IReadOnlyList<string> NodeArgs { get; init; } =
        ["--repair-interval", "500ms", "--lost-after", "4s", "--scrub-interval", "2s", "--repair-rate", "20M"];

    /// <summary>Longest wait for <c>ugloo-node drain --wait</c>; a drain still unfinished then is reported as a problem and the node removed anyway. Default 2 min.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest wait for full redundancy after the last fault, and for the cluster to settle between faults.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
