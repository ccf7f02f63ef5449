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

        if (string.IsNullOrWhiteSpace(Site))
        {
            throw new OptionsException("--site must not be empty.");
        }
    }
}
