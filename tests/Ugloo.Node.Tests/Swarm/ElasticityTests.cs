using System.Diagnostics;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests.Swarm;

/// <summary>Nodes joining and draining a running cluster of real ugloo-node processes: fragments move, reads go on.</summary>
public sealed class ElasticityTests
{
    private static readonly ObjectPipelineOptions s_rs42 = new() { SegmentSize = 256 << 10, DataFragments = 4, ParityFragments = 2 };

    [Fact]
    public async Task A_joining_node_receives_the_fragments_placed_on_it_while_reads_go_on()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(6, ct, _ => SwarmObjects.FastRepair);
        await using SwarmClient client = await cluster.ConnectAsync(6, ct, requiredNodeLosses: 2);
        byte[] content = SwarmObjects.RandomBytes(3 << 20, seed: 21);
        (ObjectManifest manifest, ObjectKey key) = await SwarmObjects.WriteAsync(client, content, s_rs42, ct);

        NodeProcess joined = await cluster.AddNodeAsync(ct, SwarmObjects.FastRepair);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        int onNew = 0;
        int total = 0;
        try
        {
            while (true)
            {
                // Reads go on while fragments move.
                await client.RefreshAsync(deadline.Token);
                Assert.Equal(content, await SwarmObjects.ReadAsync(client, manifest, key, deadline.Token));

                onNew = (await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, deadline.Token, joined)).Sum();
                total = await SwarmObjects.CountCopiesAsync(cluster, manifest, deadline.Token);
                if (onNew > 0 && total == manifest.SegmentCount * manifest.TotalFragments)
                {
                    break;
                }

                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"fragments did not settle after the join: {onNew} on the new node, {total} copies in all");
        }

        // Moved, not copied: every fragment once, every segment whole, about n/(N+1) per segment on the newcomer.
        int[] perSegment = await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, ct);
        Assert.All(perSegment, c => Assert.Equal(manifest.TotalFragments, c));
        Assert.InRange(onNew, 1, manifest.SegmentCount * 2);
        long moved = 0;
        foreach (NodeProcess node in cluster.Nodes)
        {
            moved += (await SwarmObjects.StatusAsync(cluster, node, ct))["repair_fragments_moved"];
        }

        // The figure the issue asks for: fragments moved by a join relative to the minimum (those that must
        // end on the newcomer). Placement alone is within 2.9x of it when N is close to n (ARCHITECTURE.md).
        TestContext.Current.TestOutputHelper?.WriteLine($"join: {moved} fragments moved, {onNew} on the new node ({(double)moved / onNew:0.00}x the minimum)");
        Assert.True(moved >= onNew, $"{moved} moved, {onNew} on the new node");
    }

    [Fact]
    public async Task A_drained_node_ends_empty_and_the_object_reads_without_it_and_one_more()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(7, ct, _ => SwarmObjects.FastRepair);
        await using SwarmClient client = await cluster.ConnectAsync(7, ct, requiredNodeLosses: 2);
        byte[] content = SwarmObjects.RandomBytes(3 << 20, seed: 22);
        (ObjectManifest manifest, ObjectKey key) = await SwarmObjects.WriteAsync(client, content, s_rs42, ct);
        NodeProcess drained = cluster.Nodes[3];
        Assert.True((await SwarmObjects.StatusAsync(cluster, drained, ct))["fragments"] > 0);

        (int exit, string output) = await RunDrainAsync(cluster, drained, ct);

        Assert.True(exit == 0, output);
        Assert.Contains("safe to switch off", output, StringComparison.Ordinal);
        IReadOnlyDictionary<string, long> status = await SwarmObjects.StatusAsync(cluster, drained, ct);
        Assert.Equal(0, status["fragments"]);
        Assert.Equal(1, status["draining"]);

        await drained.KillAsync();
        Assert.All(await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, ct), c => Assert.Equal(manifest.TotalFragments, c));
        await cluster.Nodes[5].KillAsync();
        await using SwarmClient reader = await SwarmObjects.ReconnectAsync(cluster, ct);
        Assert.Equal(content, await SwarmObjects.ReadAsync(reader, manifest, key, ct));
    }

    [Fact]
    public async Task A_lost_node_that_comes_back_leaves_one_copy_of_every_fragment()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using LocalCluster cluster = await LocalCluster.StartAsync(7, ct, _ => SwarmObjects.FastRepair);
        await using SwarmClient client = await cluster.ConnectAsync(7, ct, requiredNodeLosses: 2);
        byte[] content = SwarmObjects.RandomBytes(2 << 20, seed: 23);
        (ObjectManifest manifest, ObjectKey key) = await SwarmObjects.WriteAsync(client, content, s_rs42, ct);
        await cluster.Nodes[4].KillAsync();
        await SwarmObjects.WaitUntilFullyRedundantAsync(cluster, manifest, ct);

        // Back with its old fragments, which repair already rebuilt elsewhere: the extra copies go away.
        await cluster.Nodes[4].RestartAsync(ct);
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

        Assert.All(await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, ct), c => Assert.Equal(manifest.TotalFragments, c));
        await cluster.Nodes[0].KillAsync();
        await cluster.Nodes[1].KillAsync();
        await using SwarmClient reader = await SwarmObjects.ReconnectAsync(cluster, ct);
        Assert.Equal(content, await SwarmObjects.ReadAsync(reader, manifest, key, ct));
    }

    private static async Task<(int Exit, string Output)> RunDrainAsync(LocalCluster cluster, NodeProcess node, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[NodeProcess.DllPath, "drain", "--node", node.Address, "--cluster-key", cluster.ClusterKeyPath, "--wait"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill();
            Assert.Fail($"drain did not finish: {await stdout}{await stderr}\n{node.Output}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
