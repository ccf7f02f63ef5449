namespace Ugloo.Mount.Volume;

/// <summary>One local node of <c>ugloo up</c>, as kept in <c>volume.json</c>.</summary>
internal sealed class NodeConfig
{
    /// <summary>Position in the cluster: node i keeps its data in <c>nodes/i</c>.</summary>
    public int Index { get; set; }

    /// <summary>Loopback HOST:PORT it listens on; fixed once chosen so that seeds stay valid.</summary>
    public string Listen { get; set; } = "";

    /// <summary>Its data directories, relative to the volume's data directory.</summary>
    public List<string> Data { get; set; } = [];

    /// <summary>Failure domain passed as <c>--site</c>.</summary>
    public string Site { get; set; } = "default";

    /// <summary>Bytes offered (<c>--capacity</c>), e.g. "10G"; null lets the node use its disk's free space.</summary>
    public string? Capacity { get; set; }
}
