using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests.Swarm;

/// <summary>Writing and reading whole objects through a <see cref="SwarmClient"/>, and asking nodes for their figures.</summary>
internal static class SwarmObjects
{
    public static async Task<(ObjectManifest Manifest, ObjectKey Key)> WriteAsync(SwarmClient client, byte[] content, ObjectPipelineOptions options, CancellationToken ct)
    {
        var writer = new ObjectWriter(options);
        ObjectKey key = ObjectKey.Generate();
        ObjectManifest manifest = await writer.WriteAsync(new MemoryStream(content), client.CreateSink(options.DataFragments), ObjectId.New(), key, ct);
        await client.WaitForBackgroundStoresAsync(ct);
        return (manifest, key);
    }

    public static async Task<byte[]> ReadAsync(SwarmClient client, ObjectManifest manifest, ObjectKey key, CancellationToken ct)
    {
        var output = new MemoryStream();
        await new ObjectReader(manifest, key, client.CreateSource(manifest)).ReadAsync(output, ct);
        return output.ToArray();
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<IReadOnlyDictionary<string, long>> StatusAsync(LocalCluster cluster, NodeProcess node, CancellationToken ct)
    {
        using SwarmCredentials credentials = SwarmCredentials.ForClient(cluster.ClusterKey);
        await using PeerClient peer = await node.ConnectAsync(credentials, ct);
        return await peer.StatusAsync(ct);
    }

    /// <summary>Which of the manifest's fragments (by segment and index) the live nodes hold, counted per segment.</summary>
    public static async Task<int[]> CountHeldPerSegmentAsync(LocalCluster cluster, ObjectManifest manifest, CancellationToken ct, NodeProcess? only = null)
    {
        var held = new HashSet<FragmentId>();
        using SwarmCredentials credentials = SwarmCredentials.ForClient(cluster.ClusterKey);
        FragmentId[] all = [.. Enumerable.Range(0, manifest.SegmentCount).SelectMany(s => manifest.GetFragmentIds(s).ToArray())];
        foreach (NodeProcess node in cluster.Nodes.Where(n => !n.HasExited && (only is null || n == only)))
        {
            await using PeerClient peer = await node.ConnectAsync(credentials, ct);
            held.UnionWith(await peer.HaveAsync(all, ct));
        }

        return [.. Enumerable.Range(0, manifest.SegmentCount).Select(s => manifest.GetFragmentIds(s).ToArray().Count(held.Contains))];
    }

    /// <summary>Repair and rebalancing at test speed: a check every half second, a member lost after 4 s of silence.</summary>
    public static string[] FastRepair { get; } = ["--repair-interval", "500ms", "--lost-after", "4s"];

    /// <summary>Polls until every segment has all n fragments on live nodes (no timing assertion: the test's own timeout bounds it).</summary>
    public static async Task WaitUntilFullyRedundantAsync(LocalCluster cluster, ObjectManifest manifest, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromMinutes(2));
        int[] counts = [];
        try
        {
            while (true)
            {
                counts = await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, deadline.Token);
                if (counts.All(c => c == manifest.TotalFragments))
                {
                    return;
                }

                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Assert.Fail($"segments never became fully redundant: fragments per segment {string.Join(",", counts)}\n{string.Join("\n---\n", cluster.Nodes.Select(n => n.Output[^Math.Min(4000, n.Output.Length)..]))}");
        }
    }

    /// <summary>A fresh client seeded by the first live node.</summary>
    public static async Task<SwarmClient> ReconnectAsync(LocalCluster cluster, CancellationToken ct)
    {
        NodeProcess seed = cluster.Nodes.First(n => !n.HasExited);
        var options = new SwarmClientOptions { Seeds = [seed.Address], ClusterKey = cluster.ClusterKey };
        return await SwarmClient.ConnectAsync(options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, ct);
    }

    /// <summary>Copies of the manifest's fragments on all live nodes together (a fragment on two nodes counts twice).</summary>
    public static async Task<int> CountCopiesAsync(LocalCluster cluster, ObjectManifest manifest, CancellationToken ct)
    {
        int copies = 0;
        foreach (NodeProcess node in cluster.Nodes.Where(n => !n.HasExited))
        {
            copies += (await SwarmObjects.CountHeldPerSegmentAsync(cluster, manifest, ct, node)).Sum();
        }

        return copies;
    }
}
