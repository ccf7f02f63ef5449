using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Repair;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Repair;

/// <summary>
/// Repair with no coordinator (DESIGN.md "Check / rebuild"). Every repair interval the node takes the segments
/// it holds a fragment of (its <see cref="SegmentRecords"/>), asks every reachable member which of their
/// fragments it holds (ugloo_have), and for each segment it is responsible for (<see cref="SegmentPlan"/>)
/// rebuilds the fragments that no reachable member holds, riskiest segments first, paced to the repair rate.
/// A member down for less than the lost grace is waited for, not repaired around. Nothing is deleted.
/// </summary>
internal sealed class RepairService : BackgroundService
{
    /// <summary>Ids per ugloo_have query: 256 KiB of ids, well under the 1 MiB message limit.</summary>
    private const int IdsPerQuery = 8192;

    private static readonly TimeSpan s_queryTimeout = TimeSpan.FromSeconds(30);

    private readonly NodeRuntime _runtime;
    private readonly ILogger<RepairService> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private string _homesFingerprint = "";
    private long _homesSince;

    public RepairService(NodeRuntime runtime, ILogger<RepairService> logger, IHostApplicationLifetime lifetime)
    {
        _runtime = runtime;
        _logger = logger;
        _lifetime = lifetime;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_runtime.Credentials is null)
        {
            return;
        }

        RepairOptions options = _runtime.Options.Repair;
        var throttle = new ByteThrottle(options.RateValue);
        PeerPool pool = new(_runtime.Credentials, _logger, PeerDialer.DefaultTimeout);
        try
        {
            // Give gossip time to learn the whole membership first: a partial view would see fragments
            // missing that other members hold.
            await Task.Delay(options.IntervalValue + _runtime.Options.DownAfterValue, stoppingToken).ConfigureAwait(false);
            var rebuilder = new SegmentRebuilder(_runtime, pool, throttle, _logger);
            var rebalancer = new Rebalancer(_runtime, pool, throttle, _logger);
            while (true)
            {
                await RoundAsync(rebuilder, rebalancer, pool, stoppingToken).ConfigureAwait(false);
                await Task.Delay(options.IntervalValue, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.ServiceFailed(_logger, nameof(RepairService), e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
            throw;
        }
        finally
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RoundAsync(SegmentRebuilder rebuilder, Rebalancer rebalancer, PeerPool pool, CancellationToken cancellationToken)
    {
        ClusterView view = ClusterView.Capture(_runtime.Members, _runtime.Options.Repair.LostAfterValue, DateTimeOffset.UtcNow);
        SegmentDescriptor[] held = [.. _runtime.Segments.GetAll().Where(s => s.FragmentIds.Any(_runtime.Store.Contains))];
        Dictionary<FragmentId, HashSet<MemberId>> holders = await FindHoldersAsync(held, view, pool, cancellationToken).ConfigureAwait(false);

        var states = new Dictionary<SegmentState, int>();
        var queue = new List<SegmentPlan>();
        var plans = new List<SegmentPlan>(held.Length);
        int responsible = 0;
        foreach (SegmentDescriptor segment in held)
        {
            SegmentPlan plan = SegmentPlan.Create(segment, view, holders);
            plans.Add(plan);
            if (!plan.Responsible)
            {
                continue;
            }

            responsible++;
            states[plan.State] = states.GetValueOrDefault(plan.State) + 1;
            if (plan.Missing.Length == 0)
            {
                continue;
            }

            if (plan.Present < segment.DataFragments)
            {
                Log.SegmentUnrecoverable(_logger, segment.KeyHex, plan.Present, segment.DataFragments);
                continue;
            }

            queue.Add(plan);
        }

        // Riskiest first: the segment with the fewest fragments beyond k is the closest to losing data.
        queue.Sort((a, b) => (a.Present - a.Segment.DataFragments).CompareTo(b.Present - b.Segment.DataFragments));
        _runtime.Repair.Checked(held.Length, responsible, states, queue.Count);
        if (queue.Count > 0)
        {
            Log.RepairQueued(_logger, queue.Count, responsible, held.Length);
        }

        foreach (SegmentPlan plan in queue)
        {
            await rebuilder.RebuildAsync(plan, view, holders, cancellationToken).ConfigureAwait(false);
            _runtime.Repair.Dequeued();
        }

        if (IsSettled(view))
        {
            await rebalancer.RunAsync(plans, view, holders, cancellationToken).ConfigureAwait(false);
        }

        _runtime.Repair.RoundFinished(DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// True when the placement homes have not changed for at least the down grace. Moving fragments deletes
    /// copies, so it waits until every member has had time to see the same membership: two nodes that
    /// disagreed about a home could otherwise each delete their copy trusting the other's.
    /// </summary>
    private bool IsSettled(ClusterView view)
    {
        string fingerprint = string.Join(';', view.HomeMembers.OrderBy(m => m.Id).Select(m => $"{m.Id}/{m.CapacityBytes > 0}/{view.IsReachable(m.Id)}"));
        long now = Environment.TickCount64;
        if (fingerprint != _homesFingerprint)
        {
            _homesFingerprint = fingerprint;
            _homesSince = now;
            return false;
        }

        return TimeSpan.FromMilliseconds(now - _homesSince) >= _runtime.Options.DownAfterValue;
    }

    /// <summary>Who holds each of the segments' fragments: this node from its store, the others by ugloo_have.</summary>
    private async Task<Dictionary<FragmentId, HashSet<MemberId>>> FindHoldersAsync(SegmentDescriptor[] segments, ClusterView view, PeerPool pool, CancellationToken cancellationToken)
    {
        FragmentId[] ids = [.. segments.SelectMany(s => s.FragmentIds).Distinct()];
        var holders = new Dictionary<FragmentId, HashSet<MemberId>>();
        void Add(FragmentId id, MemberId member)
        {
            if (!holders.TryGetValue(id, out HashSet<MemberId>? of))
            {
                holders[id] = of = [];
            }

            of.Add(member);
        }

        foreach (FragmentId id in ids)
        {
            if (_runtime.Store.Contains(id))
            {
                Add(id, view.Self);
            }
        }

        if (ids.Length == 0)
        {
            return holders;
        }

        NodeInfo[] others = [.. view.Others];
        (NodeInfo Node, IReadOnlySet<FragmentId>? Held)[] answers = await Task.WhenAll(others.Select(async node =>
        {
            try
            {
                var held = new HashSet<FragmentId>();
                PeerClient peer = await pool.GetAsync(node.Address, cancellationToken).ConfigureAwait(false);
                for (int offset = 0; offset < ids.Length; offset += IdsPerQuery)
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(s_queryTimeout);
                    held.UnionWith(await peer.HaveAsync(ids[offset..Math.Min(ids.Length, offset + IdsPerQuery)], deadline.Token).ConfigureAwait(false));
                }

                return (node, (IReadOnlySet<FragmentId>?)held);
            }
            catch (Exception e) when (e is PeerUnavailableException or Engine.Protocol.PeerProtocolException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.RepairPeerFailed(_logger, node.Address, e.Message);
                return (node, null);
            }
        })).ConfigureAwait(false);

        foreach ((NodeInfo node, IReadOnlySet<FragmentId>? held) in answers)
        {
            if (held is null)
            {
                // Unknown: wait for it as for a restarting member rather than rebuild what it may hold.
                view.MarkUnreachable(node.Id);
                continue;
            }

            foreach (FragmentId id in held)
            {
                Add(id, node.Id);
            }
        }

        return holders;
    }
}
