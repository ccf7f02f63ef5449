using Ugloo.Node.Hosting;

namespace Ugloo.Node;

/// <summary>
/// How a node runs. Bound from the "Node" configuration section: command line (<c>--data</c>, <c>--listen</c>,
/// …), a JSON file given with <c>--config</c>, or environment variables such as <c>UGLOO_Node__Listen</c>.
/// </summary>
internal sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>
    /// Data directories, one per disk; each is a failure domain. Required, at least one. The first also
    /// holds the node's identity key (<c>node.key</c>, mode 0600).
    /// </summary>
    public List<string> DataDirectories { get; init; } = [];

    /// <summary>
    /// Address to accept peers on, HOST:PORT. Default 127.0.0.1:6881 (loopback only, the BitTorrent port).
    /// Listening on a public address exposes fragment reads to anyone who knows a fragment id; stores still
    /// require the cluster key.
    /// </summary>
    public string Listen { get; init; } = "127.0.0.1:6881";

    /// <summary>
    /// Address other members should dial, when it differs from <see cref="Listen"/> (NAT, 0.0.0.0).
    /// Default: the listen address.
    /// </summary>
    public string? Advertise { get; init; }

    /// <summary>Members to join through, HOST:PORT; any one reachable member is enough. Default none.</summary>
    public List<string> Join { get; init; } = [];

    /// <summary>
    /// Bytes this node offers, e.g. "500G". Also its placement weight. Default: the free space of the
    /// data directories at start-up.
    /// </summary>
    public string? Capacity { get; init; }

    /// <summary>
    /// File holding the cluster key (64 hex digits, mode 0600). Without it the node refuses every store and
    /// cannot join; reads of fragments are still served.
    /// </summary>
    public string? ClusterKeyFile { get; init; }

    /// <summary>Failure domain above the node (a room, a building, a city). Default "default".</summary>
    public string Site { get; init; } = "default";

    /// <summary>
    /// Most peer connections served at once; a connection beyond it is closed as soon as it is accepted.
    /// Default 512. Security: each connection may hold up to about 2 MiB of receive buffers, so this bounds
    /// the memory a swarm of peers can pin.
    /// </summary>
    public int MaxConnections { get; init; } = 512;

    /// <summary>
    /// Deadline for a new connection's opening sequence (BEP 3 handshake, BEP 10 handshake, ugloo_auth),
    /// e.g. "10s". Default 10 s. A peer that stalls longer is dropped, so silent sockets cannot hold slots.
    /// </summary>
    public string HandshakeTimeout { get; init; } = "10s";

    /// <summary>
    /// A connection that sends nothing, not even a BEP 3 keep-alive, for this long is closed, e.g. "5m".
    /// Default 5 minutes (BEP 3 peers send a keep-alive every 2 minutes). Frees slots held by silent peers.
    /// </summary>
    public string IdleTimeout { get; init; } = "5m";

    /// <summary>How often the node exchanges ugloo_pex with every known member, e.g. "5s". Default 5 s.</summary>
    public string GossipInterval { get; init; } = "5s";

    /// <summary>
    /// How long a member may fail to answer before it is marked down (kept, skipped for new writes), e.g.
    /// "15s". Default 15 s; must exceed the gossip interval.
    /// </summary>
    public string DownAfter { get; init; } = "15s";

    /// <summary>Scrub: the periodic re-hash of everything held (section "Node:Scrub").</summary>
    public Scrub.ScrubOptions Scrub { get; init; } = new();

    /// <summary>Repair: checking and rebuilding the segments this node is responsible for (section "Node:Repair").</summary>
    public Repair.RepairOptions Repair { get; init; } = new();

    public TimeSpan HandshakeTimeoutValue => Duration.TryParse(HandshakeTimeout, out TimeSpan t) ? t : TimeSpan.FromSeconds(10);

    public TimeSpan IdleTimeoutValue => Duration.TryParse(IdleTimeout, out TimeSpan t) ? t : TimeSpan.FromMinutes(5);

    public TimeSpan GossipIntervalValue => Duration.TryParse(GossipInterval, out TimeSpan t) ? t : TimeSpan.FromSeconds(5);

    public TimeSpan DownAfterValue => Duration.TryParse(DownAfter, out TimeSpan t) ? t : TimeSpan.FromSeconds(15);

    public void Validate()
    {
        if (DataDirectories.Count == 0)
        {
            throw new OptionsException("at least one --data DIR is required.");
        }

        if (!Engine.Cluster.Endpoints.TryParse(Listen, out _))
        {
            throw new OptionsException($"--listen '{Listen}' is not HOST:PORT.");
        }

        foreach (string join in Join)
        {
            if (!Engine.Cluster.Endpoints.TryParse(join, out _))
            {
                throw new OptionsException($"--join '{join}' is not HOST:PORT.");
            }
        }

        if (Capacity is not null && (!Engine.ByteSize.TryParse(Capacity, out long bytes) || bytes <= 0))
        {
            throw new OptionsException($"--capacity '{Capacity}' is not a size such as 500G.");
        }

        if (Advertise is not null && !Engine.Cluster.Endpoints.TryParse(Advertise, out _))
        {
            throw new OptionsException($"--advertise '{Advertise}' is not HOST:PORT.");
        }

        if (string.IsNullOrWhiteSpace(Site))
        {
            throw new OptionsException("--site must not be empty.");
        }

        if (Join.Count > 0 && ClusterKeyFile is null)
        {
            throw new OptionsException("--join needs --cluster-key FILE: only cluster members may join.");
        }

        if (MaxConnections < 1)
        {
            throw new OptionsException($"--max-connections {MaxConnections} must be at least 1.");
        }

        Scrub.Validate();
        RequireDuration(HandshakeTimeout, "--handshake-timeout");
        RequireDuration(IdleTimeout, "--idle-timeout");
        RequireDuration(GossipInterval, "--gossip-interval");
        RequireDuration(DownAfter, "--down-after");
        if (DownAfterValue <= GossipIntervalValue)
        {
            throw new OptionsException($"--down-after {DownAfter} must be longer than --gossip-interval {GossipInterval}.");
        }

        Repair.Validate(DownAfterValue);
    }

    private static void RequireDuration(string text, string option)
    {
        if (!Duration.TryParse(text, out TimeSpan value) || value <= TimeSpan.Zero)
        {
            throw new OptionsException($"{option} '{text}' is not a duration such as 500ms, 5s or 2m.");
        }
    }
}
