namespace Ugloo.Engine.Swarm;

/// <summary>How a client talks to the swarm. Defaults suit a LAN or loopback cluster.</summary>
public sealed class SwarmClientOptions
{
    /// <summary>Nodes to start from (HOST:PORT); the rest are learned by peer exchange. At least one.</summary>
    public IList<string> Seeds { get; init; } = [];

    /// <summary>The cluster key (32 bytes). Only holders may store.</summary>
    public required byte[] ClusterKey { get; init; }

    /// <summary>
    /// Node losses every acknowledged segment must survive (DESIGN.md invariant 4). A store returns only
    /// when its fragments sit on enough distinct nodes for this; when the up nodes cannot give it, the
    /// write fails with <see cref="DurabilityException"/> rather than acknowledge less. Default 1.
    /// </summary>
    public int RequiredNodeLosses { get; init; } = 1;

    /// <summary>Deadline for connecting to a node and the opening handshake. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline for one fragment store or fetch. Default 60 s (a 64 MiB fragment on a slow link).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Long-tail cut-off: once a segment is durable, stores still running after this long are left to
    /// finish in the background (their fragments copied), so one slow node does not hold the write.
    /// Default 2 s.
    /// </summary>
    public TimeSpan StragglerGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Fragments kept in memory for background (straggler) stores at most. Default 256 MiB.</summary>
    public long MaxBackgroundBytes { get; init; } = 256L << 20;

    public void Validate()
    {
        if (Seeds.Count == 0)
        {
            throw new ArgumentException("At least one seed node (HOST:PORT) is required.");
        }

        if (ClusterKey is not { Length: >= 32 })
        {
            throw new ArgumentException("The cluster key must be at least 32 bytes.");
        }

        if (RequiredNodeLosses < 0)
        {
            throw new ArgumentException("RequiredNodeLosses cannot be negative.");
        }
    }
}
