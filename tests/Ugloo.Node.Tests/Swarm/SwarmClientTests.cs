using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests.Swarm;

/// <summary>The Engine's swarm client against real ugloo-node processes on loopback.</summary>
public sealed class SwarmClientTests
{
    private static readonly ObjectPipelineOptions s_smallSegments = new() { SegmentSize = 256 << 10, DataFragments = 4, ParityFragments = 2 };

    [Fact]
    public async Task An_object_reads_back_after_losing_as_many_nodes_as_it_was_stored_to_survive()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(6, ct);
        await using SwarmClient client = await cluster.ConnectAsync(6, ct, requiredNodeLosses: 2);
        byte[] content = RandomBytes(3 << 20, seed: 1);
        (ObjectManifest manifest, ObjectKey key) = await WriteAsync(client, content, ct);
        Assert.Equal(2, client.ToleratedNodeLosses(4, 2));

        await cluster.Nodes[1].KillAsync();
        await cluster.Nodes[4].KillAsync();
        await client.RefreshAsync(ct);
        Assert.Equal(4, client.Members.Count(m => m.State == NodeState.Up));

        Assert.Equal(content, await ReadAsync(client, manifest, key, ct));
    }

    [Fact]
    public async Task Too_few_nodes_for_the_promised_losses_refuse_the_write_and_say_why()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(3, ct);
        await using SwarmClient client = await cluster.ConnectAsync(3, ct, requiredNodeLosses: 2);

        DurabilityException ex = await Assert.ThrowsAsync<DurabilityException>(() => WriteAsync(client, RandomBytes(1000, seed: 2), ct));
        Assert.Contains("where the volume requires 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3 node(s) are up", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_node_refuses_and_its_fragments_go_elsewhere()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(7, ct, i => i == 3 ? ["--capacity", "100K"] : []);
        await using SwarmClient client = await cluster.ConnectAsync(7, ct, requiredNodeLosses: 2);
        byte[] content = RandomBytes(4 << 20, seed: 3);

        (ObjectManifest manifest, ObjectKey key) = await WriteAsync(client, content, ct);

        Assert.Equal(content, await ReadAsync(client, manifest, key, ct));
        long heldByFullNode = Directory.EnumerateFiles(cluster.Nodes[3].Root, "*", SearchOption.AllDirectories)
            .Where(f => f.Contains($"{Path.DirectorySeparatorChar}fragments{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
        Assert.True(heldByFullNode <= 100 << 10, $"the 100 KiB node holds {heldByFullNode} bytes");
    }

    [Fact]
    public async Task A_slow_node_does_not_hold_the_write_back()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int slowPort = NodeProcess.FreePort();
        int proxyPort = NodeProcess.FreePort();

        // Node 5 advertises a proxy that lets 64 KiB/s through towards it: its 256 KiB fragment takes ~4 s.
        await using LocalCluster cluster = await LocalCluster.StartAsync(5, ct);
        await using var proxy = new ThrottlingProxy(proxyPort, slowPort, 64 << 10);
        cluster.Nodes.Add(await NodeProcess.StartOnPortAsync(cluster.ClusterKeyPath, slowPort, ct, "--join", cluster.Nodes[0].Address, "--advertise", $"127.0.0.1:{proxyPort}", "--gossip-interval", "300ms"));
        await using SwarmClient client = await cluster.ConnectAsync(6, ct, requiredNodeLosses: 1, stragglerGrace: TimeSpan.FromMilliseconds(200));
        byte[] content = RandomBytes(1 << 20, seed: 4);

        (ObjectManifest manifest, ObjectKey key) = await WriteAsync(client, content, ct, new ObjectPipelineOptions { SegmentSize = 1 << 20, DataFragments = 4, ParityFragments = 2 });

        // Acknowledged with five fragments on five nodes; the sixth is still crawling to the slow node.
        Assert.Equal(1, client.PendingBackgroundStores);
        await client.WaitForBackgroundStoresAsync(ct);
        Assert.Equal(0, client.PendingBackgroundStores);

        // The slow node got its fragment in the end.
        await using PeerClient direct = await cluster.Nodes[5].ConnectAsync(SwarmCredentials.ForClient(cluster.ClusterKey), ct);
        IReadOnlySet<FragmentId> held = await direct.HaveAsync(manifest.GetFragmentIds(0).ToArray(), ct);
        Assert.Single(held);
        Assert.Equal(content, await ReadAsync(client, manifest, key, ct));
    }

    [Fact]
    public async Task Fragments_stored_while_a_node_was_down_are_found_after_it_returns()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(7, ct);
        await using SwarmClient client = await cluster.ConnectAsync(7, ct, requiredNodeLosses: 2);
        await cluster.Nodes[6].KillAsync();
        await client.RefreshAsync(ct);
        byte[] content = RandomBytes(2 << 20, seed: 5);
        (ObjectManifest manifest, ObjectKey key) = await WriteAsync(client, content, ct);

        // Back up: placement now names it as the home of fragments it never received. Two other nodes go
        // down, so every segment needs the fragments that sit away from their new homes.
        await cluster.Nodes[6].RestartAsync(ct);
        await using SwarmClient reader = await cluster.ConnectAsync(7, ct);
        await cluster.Nodes[1].KillAsync();
        await cluster.Nodes[2].KillAsync();
        await reader.RefreshAsync(ct);

        Assert.Equal(content, await ReadAsync(reader, manifest, key, ct));
    }

    private static async Task<(ObjectManifest Manifest, ObjectKey Key)> WriteAsync(SwarmClient client, byte[] content, CancellationToken ct, ObjectPipelineOptions? options = null)
    {
        options ??= s_smallSegments;
        var writer = new ObjectWriter(options);
        ObjectKey key = ObjectKey.Generate();
        ObjectManifest manifest = await writer.WriteAsync(new MemoryStream(content), client.CreateSink(options.DataFragments), ObjectId.New(), key, ct);
        return (manifest, key);
    }

    private static async Task<byte[]> ReadAsync(SwarmClient client, ObjectManifest manifest, ObjectKey key, CancellationToken ct)
    {
        var output = new MemoryStream();
        await new ObjectReader(manifest, key, client.CreateSource(manifest)).ReadAsync(output, ct);
        return output.ToArray();
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
