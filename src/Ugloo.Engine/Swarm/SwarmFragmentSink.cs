using System.Diagnostics;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// Spreads each segment's n fragments over the nodes placement picks, in parallel, and acknowledges
/// the segment once it survives <see cref="SwarmClientOptions.RequiredNodeLosses"/> node losses
/// (DESIGN.md invariant 4). A node that is down or full is replaced by the next placement choice.
/// Stores still running <see cref="SwarmClientOptions.StragglerGrace"/> after the segment became
/// durable finish in the background from a private copy, so a slow node does not hold the write.
/// </summary>
internal sealed class SwarmFragmentSink(SwarmClient client, int dataFragments) : IFragmentSink
{
    private const int AttemptsPerFragment = 3;

    public async ValueTask StoreSegmentAsync(ObjectId objectId, int segmentIndex, ulong generation, IReadOnlyList<FragmentId> ids, IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken)
    {
        int n = fragments.Count;
        byte[] key = SegmentKey.Compute(objectId, segmentIndex, generation);
        var state = new SegmentUpload(key, n);

        // What the nodes keep to check and repair this segment without us (no key, no name: all public).
        var descriptor = new Repair.SegmentDescriptor(key, dataFragments, n - dataFragments, n == 0 ? 0 : fragments[0].Length, ids);
        IReadOnlyList<NodeInfo> nodes = client.Eligible();
        if (nodes.Count == 0)
        {
            throw new DurabilityException($"Segment {segmentIndex} of object {objectId}: no storage node is up.");
        }

        IReadOnlyList<NodeInfo> targets = FragmentPlacement.Place(key, n, nodes);
        var detachable = new DetachableFragment[n];
        var stores = new Task<MemberId?>[n];
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
        {
            detachable[i] = new DetachableFragment(fragments[i]);
            stores[i] = StoreOneAsync(state, descriptor, i, ids[i], detachable[i], targets[i], cancellationToken);
        }

        int required = client.Options.RequiredNodeLosses;
        var pending = new HashSet<Task<MemberId?>>(stores);
        TimeSpan? durableAt = null;
        while (pending.Count > 0)
        {
            Task<MemberId?> done;
            if (durableAt is null)
            {
                done = await Task.WhenAny(pending).ConfigureAwait(false);
            }
            else
            {
                TimeSpan left = client.Options.StragglerGrace - (Stopwatch.GetElapsedTime(started) - durableAt.Value);
                Task first = await Task.WhenAny(Task.WhenAny(pending), Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken)).ConfigureAwait(false);
                if (first is not Task<Task<MemberId?>> any)
                {
                    if (DetachStragglers(pending, detachable, stores, objectId, segmentIndex))
                    {
                        return;
                    }

                    durableAt = null;
                    continue;
                }

                done = any.Result;
            }

            pending.Remove(done);
            cancellationToken.ThrowIfCancellationRequested();
            if (durableAt is null && state.ToleratedNodeLosses(dataFragments) >= required)
            {
                durableAt = Stopwatch.GetElapsedTime(started);
            }
        }

        int tolerated = state.ToleratedNodeLosses(dataFragments);
        if (tolerated < required)
        {
            throw new DurabilityException(
                $"Segment {segmentIndex} of object {objectId} is on too few nodes: {state.StoredCount} of {n} fragments stored, " +
                $"surviving {Math.Max(tolerated, 0)} node loss(es) where the volume requires {required}. " +
                $"{client.Eligible().Count} node(s) are up; failures: {state.DescribeFailures()}");
        }
    }

    private bool DetachStragglers(HashSet<Task<MemberId?>> pending, DetachableFragment[] detachable, Task<MemberId?>[] stores, ObjectId objectId, int segmentIndex)
    {
        long bytes = 0;
        foreach (Task<MemberId?> task in pending)
        {
            bytes += detachable[Array.IndexOf(stores, task)].Length;
        }

        if (!client.Background.TryReserve(bytes))
        {
            // Over the copy budget: wait for the stragglers instead of holding more memory.
            return false;
        }

        foreach (Task<MemberId?> task in pending)
        {
            detachable[Array.IndexOf(stores, task)].Detach();
            client.Background.Track(task, detachable[Array.IndexOf(stores, task)].Length);
        }

        Log.SegmentAcknowledgedEarly(client.Logger, segmentIndex, objectId, stores.Length - pending.Count, stores.Length);
        return true;
    }

    private async Task<MemberId?> StoreOneAsync(SegmentUpload state, Repair.SegmentDescriptor descriptor, int index, FragmentId id, DetachableFragment fragment, NodeInfo target, CancellationToken cancellationToken)
    {
        for (int attempt = 1; attempt <= AttemptsPerFragment; attempt++)
        {
            try
            {
                PeerClient peer = await client.GetPeerAsync(target.Address, cancellationToken).ConfigureAwait(false);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(client.Options.RequestTimeout);
                await peer.StoreAsync(id, fragment, descriptor, index, deadline.Token).ConfigureAwait(false);
                state.Stored(index, target.Id);
                return target.Id;
            }
            catch (Exception e) when (e is PeerUnavailableException or PeerRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.FragmentStoreFailed(client.Logger, id, target.Address, e.Message);
                state.Failed(target, e is PeerRequestException r ? r.Code : "unavailable");
                if (e is PeerUnavailableException or OperationCanceledException)
                {
                    client.MarkDown(target.Id);
                }

                if (e is PeerRequestException { Code: UglooErrorCodes.BadHash })
                {
                    // Our own bytes hash to another id: a bug here, not a node problem. Say so.
                    throw new InvalidOperationException($"Node {target.Address} computed another hash for fragment {id}: the client is corrupting data.", e);
                }

                NodeInfo? next = state.NextTarget(client.Eligible(), index);
                if (next is null)
                {
                    return null;
                }

                target = next;
            }
        }

        return null;
    }
}
