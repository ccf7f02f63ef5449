using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests.Swarm;

/// <summary>N real ugloo-node processes on loopback that joined one another, and a cluster key for clients.</summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private static readonly string[] s_fastGossip = ["--gossip-interval", "300ms", "--down-after", "3s"];

    private readonly TempDirectory _keys = new();

    private LocalCluster()
    {
        ClusterKeyPath = NodeProcess.CreateClusterKey(_keys.Path, out byte[] key);
        ClusterKey = key;
    }

    public string ClusterKeyPath { get; }

    public byte[] ClusterKey { get; }

    public List<NodeProcess> Nodes { get; } = [];

    /// <summary>Starts <paramref name="count"/> nodes; <paramref name="extraArgs"/> gives per-node arguments.</summary>
    public static async Task<LocalCluster> StartAsync(int count, CancellationToken cancellationToken, Func<int, string[]>? extraArgs = null)
    {
        var cluster = new LocalCluster();
        try
        {
            for (int i = 0; i < count; i++)
            {
                string[] args = [.. s_fastGossip, .. extraArgs?.Invoke(i) ?? []];
                if (i > 0)
                {
                    args = [.. args, "--join", cluster.Nodes[0].Address];
                }

                cluster.Nodes.Add(await NodeProcess.StartAsync(cluster.ClusterKeyPath, cancellationToken, args));
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts one more node that joins through the first (a node added to a running cluster).</summary>
    public async Task<NodeProcess> AddNodeAsync(CancellationToken cancellationToken, params string[] extraArgs)
    {
        NodeProcess node = await NodeProcess.StartAsync(ClusterKeyPath, cancellationToken, [.. s_fastGossip, .. extraArgs, "--join", Nodes[0].Address]);
        Nodes.Add(node);
        return node;
    }

    /// <summary>A client that has seen <paramref name="expectedUp"/> nodes up (polls the gossip; no timing assertion).</summary>
    public async Task<SwarmClient> ConnectAsync(int expectedUp, CancellationToken cancellationToken, int requiredNodeLosses = 1, TimeSpan? stragglerGrace = null)
    {
        var options = new SwarmClientOptions
        {
            Seeds = [Nodes[0].Address],
            ClusterKey = ClusterKey,
            RequiredNodeLosses = requiredNodeLosses,
            StragglerGrace = stragglerGrace ?? TimeSpan.FromSeconds(2),
        };
        SwarmClient client = await SwarmClient.ConnectAsync(options, NullLogger.Instance, cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (client.Members.Count(m => m.State == NodeState.Up) < expectedUp)
        {
            await Task.Delay(200, deadline.Token);
            await client.RefreshAsync(deadline.Token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (NodeProcess node in Nodes)
        {
            await node.DisposeAsync();
        }

        _keys.Dispose();
    }
}
