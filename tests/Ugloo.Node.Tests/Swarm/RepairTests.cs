using Ugloo.Engine.Crypto;
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

    [Fact]
    public async Task A_node_lost_for_good_is_rebuilt_around_and_the_object_survives_another_loss()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(7, ct, _ => SwarmObjects.FastRepair);
        await using SwarmClient client = await cluster.ConnectAsync(7, ct, requiredNodeLosses: 2);
        byte[] content = SwarmObjects.RandomBytes(3 << 20, seed: 12);
        (ObjectManifest manifest, ObjectKey key) = await SwarmObjects.WriteAsync(client, content, s_rs42, ct);

        int lost = (await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, ct, cluster.Nodes[2])).Sum();
        await cluster.Nodes[2].KillAsync();
        long killed = System.Diagnostics.Stopwatch.GetTimestamp();
        await SwarmObjects.WaitUntilFullyRedundantAsync(cluster, manifest, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"full redundancy {System.Diagnostics.Stopwatch.GetElapsedTime(killed).TotalSeconds:0.0} s after the kill (lost-after 4 s, down-after 3 s); {lost} fragments rebuilt");

        long rebuilt = 0;
        foreach (NodeProcess node in cluster.Nodes.Where(n => !n.HasExited))
        {
            rebuilt += (await SwarmObjects.StatusAsync(cluster, node, ct))["repair_fragments_rebuilt"];
        }

        // Each lost fragment rebuilt once by its segment's responsible node; should two nodes briefly disagree
        // (a member flapping under load), the duplicate is an extra copy that rebalancing removes.
        Assert.True(lost > 0);
        Assert.True(rebuilt >= lost, $"{rebuilt} rebuilt, {lost} lost");
        await WaitForOneCopyEachAsync(cluster, manifest, ct);

        // A second loss, and the object still reads: the rebuilt fragments sit on distinct live nodes.
        await cluster.Nodes[5].KillAsync();
        await client.RefreshAsync(ct);
        Assert.Equal(content, await SwarmObjects.ReadAsync(client, manifest, key, ct));
    }

    [Fact]
    public async Task Fragment_files_deleted_on_a_node_are_rebuilt()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(6, ct, _ => [.. SwarmObjects.FastRepair, "--scrub-interval", "1s"]);
        await using SwarmClient client = await cluster.ConnectAsync(6, ct, requiredNodeLosses: 2);
        byte[] content = SwarmObjects.RandomBytes(2 << 20, seed: 13);
        (ObjectManifest manifest, ObjectKey key) = await SwarmObjects.WriteAsync(client, content, s_rs42, ct);

        NodeProcess victim = cluster.Nodes[3];
        long passes = (await SwarmObjects.StatusAsync(cluster, victim, ct))["scrub_passes"];
        int deleted = 0;
        foreach (string disk in victim.DataDirectories)
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(disk, "fragments"), "*", SearchOption.AllDirectories))
            {
                File.Delete(file);
                deleted++;
            }
        }

        Assert.True(deleted >= manifest.SegmentCount, $"deleted {deleted} files");

        // Until scrub notices, the node's index still lists the files; then they are missing, and rebuilt.
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(TimeSpan.FromMinutes(1));
            while ((await SwarmObjects.StatusAsync(cluster, victim, deadline.Token))["scrub_passes"] < passes + 2)
            {
                await Task.Delay(200, deadline.Token);
            }
        }
        await SwarmObjects.WaitUntilFullyRedundantAsync(cluster, manifest, ct);

        // Two nodes down, and every segment still has k fragments.
        await cluster.Nodes[0].KillAsync();
        await cluster.Nodes[1].KillAsync();
        await using SwarmClient reader = await SwarmObjects.ReconnectAsync(cluster, ct);
        Assert.Equal(content, await SwarmObjects.ReadAsync(reader, manifest, key, ct));
    }


    private static async Task WaitForOneCopyEachAsync(LocalCluster cluster, ObjectManifest manifest, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        int total = 0;
        try
        {
            while ((total = await SwarmObjects.CountCopiesAsync(cluster, manifest, deadline.Token)) != manifest.SegmentCount * manifest.TotalFragments)
            {
                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"{total} copies of {manifest.SegmentCount * manifest.TotalFragments} fragments never settled");
        }
    }
}
