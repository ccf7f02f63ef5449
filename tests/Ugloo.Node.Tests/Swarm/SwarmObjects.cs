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
}
