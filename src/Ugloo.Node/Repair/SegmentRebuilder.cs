using Microsoft.Extensions.Logging;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Repair;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Repair;

/// <summary>
/// Rebuilds a segment's missing fragments: fetches k verified fragments (its own first), reconstructs exactly
/// the missing ones with Reed-Solomon on ciphertext (no key needed), checks each rebuilt fragment against its
/// id from the segment record, and stores it on its placement home. Nothing is deleted here.
/// </summary>
internal sealed class SegmentRebuilder
{
    private const int AttemptsPerFragment = 3;

    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(60);

    private readonly NodeRuntime _runtime;
    private readonly PeerPool _pool;
    private readonly ByteThrottle _throttle;
    private readonly ILogger _logger;

    public SegmentRebuilder(NodeRuntime runtime, PeerPool pool, ByteThrottle throttle, ILogger logger)
    {
        _runtime = runtime;
        _pool = pool;
        _throttle = throttle;
        _logger = logger;
    }

    /// <summary>Returns how many fragments were rebuilt and stored.</summary>
    public async Task<int> RebuildAsync(SegmentPlan plan, ClusterView view, Dictionary<FragmentId, HashSet<MemberId>> holders, CancellationToken cancellationToken)
    {
        SegmentDescriptor segment = plan.Segment;
        int k = segment.DataFragments;
        int length = checked((int)segment.FragmentLength);
        int[] wanted = await StillMissingAsync(plan, view, holders, cancellationToken).ConfigureAwait(false);
        if (wanted.Length == 0)
        {
            return 0;
        }

        (int[] indices, ReadOnlyMemory<byte>[] fragments) = await GatherAsync(segment, view, holders, cancellationToken).ConfigureAwait(false);
        if (indices.Length < k)
        {
            Log.RepairGatherFailed(_logger, segment.KeyHex, indices.Length, k);
            _runtime.Repair.Failed();
            return 0;
        }

        var rebuilt = new Memory<byte>[wanted.Length];
        for (int i = 0; i < rebuilt.Length; i++)
        {
            rebuilt[i] = new byte[length];
        }

        new ReedSolomon(k, segment.ParityFragments).Reconstruct(indices, fragments, wanted, rebuilt);

        int stored = 0;
        for (int w = 0; w < wanted.Length; w++)
        {
            int index = wanted[w];
            FragmentId id = segment.FragmentIds[index];
            if (!id.Matches(rebuilt[w].Span))
            {
                // The record or the fragments we fetched disagree with the segment (a bug or a forged record):
                // storing these bytes would plant garbage under a real id. Nodes verify anyway; refuse early.
                Log.RebuiltFragmentMismatch(_logger, segment.KeyHex, index, id);
                _runtime.Repair.Failed();
                continue;
            }

            if (await StoreAsync(plan, view, holders, index, rebuilt[w], cancellationToken).ConfigureAwait(false))
            {
                stored++;
                _runtime.Repair.Rebuilt(length);
            }
            else
            {
                _runtime.Repair.Failed();
            }
        }

        return stored;
    }

    /// <summary>
    /// The plan's missing indices that are still missing now: asked again of every reachable member, because
    /// the check's answers may be minutes old and another node (one that briefly saw a different membership)
    /// may have rebuilt some meanwhile. Narrows duplicate rebuilds to ones that truly run at the same time.
    /// </summary>
    private async Task<int[]> StillMissingAsync(SegmentPlan plan, ClusterView view, Dictionary<FragmentId, HashSet<MemberId>> holders, CancellationToken cancellationToken)
    {
        FragmentId[] ids = [.. plan.Missing.Select(i => plan.Segment.FragmentIds[i]).Distinct()];
        foreach (NodeInfo node in view.Others)
        {
            try
            {
                PeerClient peer = await _pool.GetAsync(node.Address, cancellationToken).ConfigureAwait(false);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(s_requestTimeout);
                foreach (FragmentId id in await peer.HaveAsync(ids, deadline.Token).ConfigureAwait(false))
                {
                    if (!holders.TryGetValue(id, out HashSet<MemberId>? of))
                    {
                        holders[id] = of = [];
                    }

                    of.Add(node.Id);
                }
            }
            catch (Exception e) when (e is PeerUnavailableException or PeerRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.RepairPeerFailed(_logger, node.Address, e.Message);
            }
        }

        return [.. plan.Missing.Where(i => !(holders.TryGetValue(plan.Segment.FragmentIds[i], out HashSet<MemberId>? of) && of.Any(view.IsReachable)))];
    }

    /// <summary>k fragments verified against their ids, local ones first (no network), then from their holders.</summary>
    private async Task<(int[] Indices, ReadOnlyMemory<byte>[] Fragments)> GatherAsync(SegmentDescriptor segment, ClusterView view, Dictionary<FragmentId, HashSet<MemberId>> holders, CancellationToken cancellationToken)
    {
        int k = segment.DataFragments;
        var indices = new List<int>(k);
        var fragments = new List<ReadOnlyMemory<byte>>(k);
        var taken = new HashSet<FragmentId>();

        // Same bytes under two indices (e.g. all-zero padding fragments) are one fetch but count for both.
        for (int pass = 0; pass < 2 && indices.Count < k; pass++)
        {
            for (int i = 0; i < segment.TotalFragments && indices.Count < k; i++)
            {
                FragmentId id = segment.FragmentIds[i];
                if (indices.Contains(i) || !holders.TryGetValue(id, out HashSet<MemberId>? of))
                {
                    continue;
                }

                bool local = of.Contains(view.Self);
                if ((pass == 0) != local)
                {
                    continue;
                }

                byte[]? bytes = local
                    ? await _runtime.Store.ReadAllAsync(id, cancellationToken).ConfigureAwait(false)
                    : await FetchAsync(id, segment.FragmentLength, of, view, cancellationToken).ConfigureAwait(false);
                if (bytes is null)
                {
                    continue;
                }

                if (taken.Add(id))
                {
                    await _throttle.ConsumeAsync(bytes.Length, cancellationToken).ConfigureAwait(false);
                }

                indices.Add(i);
                fragments.Add(bytes);
            }
        }

        return ([.. indices], [.. fragments]);
    }

    private async Task<byte[]?> FetchAsync(FragmentId id, long length, HashSet<MemberId> holders, ClusterView view, CancellationToken cancellationToken)
    {
        foreach (MemberId holder in holders)
        {
            if (holder == view.Self || !view.IsReachable(holder) || view.Find(holder) is not { } node)
            {
                continue;
            }

            byte[] buffer = new byte[length];
            try
            {
                PeerClient peer = await _pool.GetAsync(node.Address, cancellationToken).ConfigureAwait(false);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(s_requestTimeout);
                if (await peer.FetchAsync(id, buffer, deadline.Token).ConfigureAwait(false) && id.Matches(buffer))
                {
                    return buffer;
                }
            }
            catch (Exception e) when (e is PeerUnavailableException or PeerRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.RepairPeerFailed(_logger, node.Address, e.Message);
            }
        }

        return null;
    }

    /// <summary>
    /// Stores a rebuilt fragment on its home, or, when the home already holds its share of the segment (the
    /// loss moved other fragments' homes too, and rebalancing has not moved them yet) or refuses, on the
    /// placement choice among the members still below their share. Done only once a node acknowledged it.
    /// </summary>
    private async Task<bool> StoreAsync(SegmentPlan plan, ClusterView view, Dictionary<FragmentId, HashSet<MemberId>> holders, int index, ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken)
    {
        SegmentDescriptor segment = plan.Segment;
        FragmentId id = segment.FragmentIds[index];
        IReadOnlyList<NodeInfo> writable = view.Writable;
        if (writable.Count == 0)
        {
            return false;
        }

        int share = (segment.TotalFragments + writable.Count - 1) / writable.Count;
        var failed = new HashSet<MemberId>();
        for (int attempt = 0; attempt < AttemptsPerFragment; attempt++)
        {
            NodeInfo? target = ChooseTarget(plan, view, holders, writable, share, index, failed);
            if (target is null)
            {
                return false;
            }

            try
            {
                if (target.Id == view.Self)
                {
                    await _runtime.Store.StoreAsync(id, fragment, cancellationToken).ConfigureAwait(false);
                    _runtime.Segments.Put(segment);
                }
                else
                {
                    PeerClient peer = await _pool.GetAsync(target.Address, cancellationToken).ConfigureAwait(false);
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(s_requestTimeout);
                    await peer.StoreAsync(id, new DetachableFragment(fragment), segment, index, deadline.Token).ConfigureAwait(false);
                }

                await _throttle.ConsumeAsync(fragment.Length, cancellationToken).ConfigureAwait(false);
                Log.FragmentRebuilt(_logger, id, index, segment.KeyHex, target.Address);
                if (!holders.TryGetValue(id, out HashSet<MemberId>? of))
                {
                    holders[id] = of = [];
                }

                of.Add(target.Id);
                return true;
            }
            catch (Exception e) when (e is PeerUnavailableException or PeerRequestException or Engine.Storage.StoreFullException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.RepairPeerFailed(_logger, target.Address, e.Message);
                failed.Add(target.Id);
            }
        }

        return false;
    }

    private static NodeInfo? ChooseTarget(SegmentPlan plan, ClusterView view, Dictionary<FragmentId, HashSet<MemberId>> holders, IReadOnlyList<NodeInfo> writable, int share, int index, HashSet<MemberId> failed)
    {
        SegmentDescriptor segment = plan.Segment;
        var counts = new Dictionary<MemberId, int>();
        foreach (FragmentId id in segment.FragmentIds.Distinct())
        {
            if (holders.TryGetValue(id, out HashSet<MemberId>? of))
            {
                foreach (MemberId member in of)
                {
                    counts[member] = counts.GetValueOrDefault(member) + 1;
                }
            }
        }

        NodeInfo home = plan.Homes[index];
        if (!failed.Contains(home.Id) && view.IsReachable(home.Id) && home.CapacityBytes > 0 && counts.GetValueOrDefault(home.Id) < share)
        {
            return home;
        }

        var excluded = new HashSet<MemberId>(failed);
        foreach (NodeInfo node in writable)
        {
            if (counts.GetValueOrDefault(node.Id) >= share)
            {
                excluded.Add(node.Id);
            }
        }

        if (writable.Any(n => !excluded.Contains(n.Id)))
        {
            return FragmentPlacement.Place(segment.Key, segment.TotalFragments, writable, excluded)[index];
        }

        // Every member already holds its share: the home is still the right place, unless it failed.
        return writable.Any(n => !failed.Contains(n.Id)) ? FragmentPlacement.Place(segment.Key, segment.TotalFragments, writable, failed)[index] : null;
    }
}
