using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests.Swarm;

/// <summary>Segment records, repair and rebalancing on a cluster of real ugloo-node processes.</summary>
public sealed class RepairTests
{
    private static readonly ObjectPipelineOptions s_rs42 = new() { SegmentSize = 256 << 10, DataFragments = 4, ParityFragments = 2 };

    [Fact]
    public async Task Every_node_records_the_segments_it_holds_fragments_of()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(6, ct);
        await using SwarmClient client = await cluster.ConnectAsync(6, ct, requiredNodeLosses: 2);
        (ObjectManifest manifest, _) = await SwarmObjects.WriteAsync(client, SwarmObjects.RandomBytes(1 << 20, seed: 11), s_rs42, ct);

        // Six fragments per segment on six nodes: each node holds one of every segment, so records all of them.
        foreach (NodeProcess node in cluster.Nodes)
        {
            IReadOnlyDictionary<string, long> status = await SwarmObjects.StatusAsync(cluster, node, ct);
            Assert.Equal(manifest.SegmentCount, status["segments"]);
        }

        string db = Path.Combine(cluster.Nodes[0].DataDirectories[0], "segments.db");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db));
        }
    }
}
