using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Repair;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Repair;

/// <summary>
/// Elasticity (DESIGN.md "Placement and elasticity"): each node moves its own fragments whose placement home
/// is another member (a member joined, this node is draining, repair put a fragment beside its home) to that
/// home: copy, have the home confirm it holds the verified copy, and only then delete the local one. A copy
/// that already sits on its home is just deleted here after the same confirmation. Only segments whose n
/// fragments are all present are touched, so a move never competes with a repair.
/// </summary>
internal sealed class Rebalancer
{
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(60);

    private readonly NodeRuntime _runtime;
    private readonly PeerPool _pool;
    private readonly ByteThrottle _throttle;
    private readonly ILogger _logger;

    public Rebalancer(NodeRuntime runtime, PeerPool pool, ByteThrottle throttle, ILogger logger)
    {
        _runtime = runtime;
        _pool = pool;
        _throttle = throttle;
        _logger = logger;
    }

    public async Task RunAsync(IReadOnlyList<SegmentPlan> plans, ClusterView view, Dictionary<FragmentId, HashSet<MemberId>> holders, CancellationToken cancellationToken)
    {
        var emptied = new List<SegmentDescriptor>();
        foreach (SegmentPlan plan in plans)
        {
            SegmentDescriptor segment = plan.Segment;
            if (plan.Present < segment.TotalFragments)
            {
                continue;
            }

            for (int i = 0; i < segment.TotalFragments; i++)
            {
                FragmentId id = segment.FragmentIds[i];
                NodeInfo home = plan.Homes[i];
                if (home.Id == view.Self || !_runtime.Store.Contains(id) || !view.IsReachable(home.Id) || home.CapacityBytes <= 0)
                {
                    continue;
                }

                // The same bytes may be another index whose home is here (identical padding fragments): keep them.
                if (Enumerable.Range(0, segment.TotalFragments).Any(j => segment.FragmentIds[j] == id && plan.Homes[j].Id == view.Self))
                {
                    continue;
                }

                await MoveAsync(segment, i, home, holders, view, cancellationToken).ConfigureAwait(false);
            }

            if (!segment.FragmentIds.Any(_runtime.Store.Contains))
            {
                emptied.Add(segment);
            }
        }

        if (emptied.Count > 0)
        {
            // Tested again at removal: a round takes long, and meanwhile another member may have moved a
            // fragment of the same segment here (a join swaps homes), whose record must stay.
            _runtime.Segments.Remove(emptied, s => !s.FragmentIds.Any(_runtime.Store.Contains));
        }
    }

    /// <summary>
    /// True when deleting our copy of <paramref name="id"/> leaves no member as the only holder of more of the
    /// segment's fragments than its even share (or than it already was): a move may shift fragments, never
    /// pile them onto one node.
    /// </summary>
    private static bool KeepsSpread(SegmentDescriptor segment, Dictionary<FragmentId, HashSet<MemberId>> holders, ClusterView view, FragmentId id)
    {
        int writable = Math.Max(1, view.Writable.Count);
        int share = (segment.TotalFragments + writable - 1) / writable;
        Dictionary<MemberId, int> before = SoleHoldings(segment, holders, view.Self, removed: null);
        Dictionary<MemberId, int> after = SoleHoldings(segment, holders, view.Self, removed: id);
        return after.All(e => e.Value <= Math.Max(share, before.GetValueOrDefault(e.Key)));
    }

    private static Dictionary<MemberId, int> SoleHoldings(SegmentDescriptor segment, Dictionary<FragmentId, HashSet<MemberId>> holders, MemberId self, FragmentId? removed)
    {
        var counts = new Dictionary<MemberId, int>();
        for (int i = 0; i < segment.TotalFragments; i++)
        {
            if (!holders.TryGetValue(segment.FragmentIds[i], out HashSet<MemberId>? of))
            {
                continue;
            }

            MemberId? sole = null;
            int count = 0;
            foreach (MemberId member in of)
            {
                if (member == self && segment.FragmentIds[i] == removed)
                {
                    continue;
                }

                sole = member;
                count++;
            }

            if (count == 1)
            {
                counts[sole!.Value] = counts.GetValueOrDefault(sole.Value) + 1;
            }
        }

        return counts;
    }

    private async Task MoveAsync(SegmentDescriptor segment, int index, NodeInfo home, Dictionary<FragmentId, HashSet<MemberId>> holders, ClusterView view, CancellationToken cancellationToken)
    {
        FragmentId id = segment.FragmentIds[index];
        try
        {
            PeerClient peer = await _pool.GetAsync(home.Address, cancellationToken).ConfigureAwait(false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(s_requestTimeout);
            bool copied = false;
            if (!(holders.TryGetValue(id, out HashSet<MemberId>? of) && of.Contains(home.Id)))
            {
                byte[]? bytes = await _runtime.Store.ReadAllAsync(id, cancellationToken).ConfigureAwait(false);
                if (bytes is null)
                {
                    // Quarantined by this very read: repair rebuilds it from the others.
                    return;
                }

                await peer.StoreAsync(id, new DetachableFragment(bytes), segment, index, deadline.Token).ConfigureAwait(false);
                await _throttle.ConsumeAsync(bytes.Length, cancellationToken).ConfigureAwait(false);
                copied = true;
            }

            // Asked again right before deleting: the home's answer lists only fragments verified and on its disk.
            IReadOnlySet<FragmentId> confirmed = await peer.HaveAsync([id], deadline.Token).ConfigureAwait(false);
            if (!confirmed.Contains(id))
            {
                return;
            }

            if (!holders.TryGetValue(id, out HashSet<MemberId>? known))
            {
                holders[id] = known = [];
            }

            known.Add(home.Id);
            if (!KeepsSpread(segment, holders, view, id))
            {
                // The home now also holds another fragment of this segment that is still to move away (a swap
                // of two homes); deleting here would leave both on one node until then. Next round.
                return;
            }

            if (await _runtime.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
            {
                if (copied)
                {
                    _runtime.Repair.Moved(segment.FragmentLength);
                }

                known.Remove(view.Self);
                Log.FragmentMoved(_logger, id, segment.KeyHex, home.Address, copied ? "copied" : "already there");
            }
        }
        catch (Exception e) when (e is PeerUnavailableException or PeerRequestException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.RepairPeerFailed(_logger, home.Address, e.Message);
        }
    }
}
