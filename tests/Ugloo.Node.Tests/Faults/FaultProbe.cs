using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Tests.Swarm;

namespace Ugloo.Node.Tests.Faults;

/// <summary>Asks the live nodes what they hold (ugloo_have) and what they did (ugloo_status).</summary>
internal static class FaultProbe
{
    /// <summary>Ids per ugloo_have query: 128 KiB of ids, well under the 1 MiB message limit.</summary>
    private const int IdsPerQuery = 4096;

    /// <summary>Segments of <paramref name="objects"/> with fewer than n distinct fragments on <paramref name="nodes"/>.</summary>
    public static async Task<int> CountShortSegmentsAsync(LocalCluster cluster, IEnumerable<NodeProcess> nodes, IReadOnlyList<AcknowledgedObject> objects, CancellationToken ct)
    {
        HashSet<FragmentId> held = await HeldAsync(cluster, nodes, objects, ct);
        int shortSegments = 0;
        foreach (AcknowledgedObject item in objects)
        {
            ObjectManifest manifest = item.Manifest;
            for (int s = 0; s < manifest.SegmentCount; s++)
            {
                int present = 0;
                foreach (FragmentId id in manifest.GetFragmentIds(s))
                {
                    present += held.Contains(id) ? 1 : 0;
                }

                shortSegments += present < manifest.TotalFragments ? 1 : 0;
            }
        }

        return shortSegments;
    }

    /// <summary>The fragments of <paramref name="objects"/> that any of <paramref name="nodes"/> holds.</summary>
    public static async Task<HashSet<FragmentId>> HeldAsync(LocalCluster cluster, IEnumerable<NodeProcess> nodes, IReadOnlyList<AcknowledgedObject> objects, CancellationToken ct)
    {
        FragmentId[] all = [.. objects.SelectMany(o => Enumerable.Range(0, o.Manifest.SegmentCount).SelectMany(s => o.Manifest.GetFragmentIds(s).ToArray()))];
        var held = new HashSet<FragmentId>();
        using SwarmCredentials credentials = SwarmCredentials.ForClient(cluster.ClusterKey);
        foreach (NodeProcess node in nodes)
        {
            await using PeerClient peer = await node.ConnectAsync(credentials, ct);
            foreach (FragmentId[] chunk in all.Chunk(IdsPerQuery))
            {
                held.UnionWith(await peer.HaveAsync(chunk, ct));
            }
        }

        return held;
    }

    /// <summary>The nodes' figures, or null for a node that does not answer within a few seconds.</summary>
    public static async Task<IReadOnlyDictionary<string, long>?> StatusAsync(LocalCluster cluster, NodeProcess node, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return await SwarmObjects.StatusAsync(cluster, node, deadline.Token);
        }
        catch (Exception e) when (e is PeerUnavailableException or PeerRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }
}
