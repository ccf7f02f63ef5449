using System.Collections.Concurrent;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// Finds an object's fragments on the nodes: first at the fragment's placement home, then, when the
/// home is down or does not hold it (the write went to a fallback node, or repair has not moved it
/// yet), by asking every other up node which of them has it. The reader verifies every byte against
/// the fragment id, so a lying node costs time, never data.
/// </summary>
internal sealed class SwarmFragmentSource(SwarmClient client, ObjectManifest manifest) : IFragmentSource
{
    private readonly ConcurrentDictionary<int, IReadOnlyList<NodeInfo>> _homes = new();

    public async ValueTask<bool> TryFetchAsync(FragmentAddress address, FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeInfo> all = client.AllNodes();
        if (all.Count == 0)
        {
            return false;
        }

        IReadOnlyList<NodeInfo> homes = _homes.GetOrAdd(address.SegmentIndex, s => FragmentPlacement.Homes(SegmentKey.Compute(manifest, s), manifest.TotalFragments, all));
        NodeInfo home = homes[address.FragmentIndex];
        if (home.State == NodeState.Up && await TryFetchFromAsync(home, id, destination, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        // Ask the other up nodes which of them holds it; take it from the first that answers yes.
        NodeInfo[] others = [.. client.Eligible().Where(n => n.Id != home.Id)];
        if (others.Length == 0)
        {
            return false;
        }

        using var search = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        search.CancelAfter(client.Options.ConnectTimeout * 2);
        Task<NodeInfo?>[] queries = [.. others.Select(node => HoldsAsync(node, id, search.Token))];
        foreach (Task<NodeInfo?> query in queries)
        {
            if (await query.ConfigureAwait(false) is NodeInfo holder && await TryFetchFromAsync(holder, id, destination, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<NodeInfo?> HoldsAsync(NodeInfo node, FragmentId id, CancellationToken cancellationToken)
    {
        try
        {
            PeerClient peer = await client.GetPeerAsync(node.Address, cancellationToken).ConfigureAwait(false);
            IReadOnlySet<FragmentId> held = await peer.HaveAsync([id], cancellationToken).ConfigureAwait(false);
            return held.Contains(id) ? node : null;
        }
        catch (Exception e) when (e is PeerUnavailableException or OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<bool> TryFetchFromAsync(NodeInfo node, FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            PeerClient peer = await client.GetPeerAsync(node.Address, cancellationToken).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(client.Options.RequestTimeout);
            return await peer.FetchAsync(id, destination, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PeerUnavailableException or PeerRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.FragmentFetchFailed(client.Logger, id, node.Address, e.Message);
            if (e is PeerUnavailableException)
            {
                client.MarkDown(node.Id);
            }

            return false;
        }
    }
}
