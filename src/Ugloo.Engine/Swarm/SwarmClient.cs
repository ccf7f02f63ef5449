using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// A client's handle on the swarm: the membership it learned by peer exchange, pooled connections to
/// every node, and the fragment sink and source that the object pipeline writes to and reads from.
/// </summary>
public sealed partial class SwarmClient : IAsyncDisposable
{
    private readonly SwarmClientOptions _options;
    private readonly SwarmCredentials _credentials;
    private readonly PeerPool _pool;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<MemberId, SwarmMember> _members = new();
    private readonly BackgroundStores _background;

    private SwarmClient(SwarmClientOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _credentials = SwarmCredentials.ForClient(options.ClusterKey);
        _pool = new PeerPool(_credentials, logger, options.ConnectTimeout);
        _background = new BackgroundStores(options.MaxBackgroundBytes);
    }

    public SwarmClientOptions Options => _options;

    /// <summary>Every node learned so far, up or down, ordered by address.</summary>
    public IReadOnlyList<SwarmMember> Members => [.. _members.Values.OrderBy(m => m.Address, StringComparer.Ordinal)];

    /// <summary>Fragments acknowledged early whose stores still run in the background.</summary>
    public int PendingBackgroundStores => _background.Count;

    /// <summary>Connects through the seeds and learns the membership.</summary>
    /// <exception cref="PeerUnavailableException">No seed answered.</exception>
    public static async Task<SwarmClient> ConnectAsync(SwarmClientOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var client = new SwarmClient(options, logger);
        try
        {
            await client.RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (client._members.IsEmpty)
            {
                throw new PeerUnavailableException(string.Join(", ", options.Seeds), "no seed node answered");
            }

            return client;
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Asks every known node (and the seeds) for its view of the membership, and marks each node up or
    /// down by whether it answered. What a node says about itself wins; what it says about others only
    /// introduces nodes, which are then asked themselves.
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var asked = new HashSet<string>(_options.Seeds, StringComparer.Ordinal);
        foreach (SwarmMember member in _members.Values)
        {
            asked.Add(member.Address);
        }

        var reached = new HashSet<MemberId>();
        IReadOnlyCollection<string> round = asked;
        while (round.Count > 0)
        {
            (MemberId From, UglooPex Pex)[] answers = await AskAllAsync(round, cancellationToken).ConfigureAwait(false);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var introduced = new List<string>();
            foreach ((MemberId from, UglooPex pex) in answers)
            {
                reached.Add(from);
                foreach (PexMember member in pex.Members)
                {
                    if (member.NodeId.Length != MemberId.Size)
                    {
                        continue;
                    }

                    var id = new MemberId(member.NodeId);
                    if (id == from)
                    {
                        // A draining node takes no new fragments and is no placement home any more.
                        long capacity = member.State == Membership.MemberStates.Draining ? 0 : member.CapacityBytes;
                        _members[id] = new SwarmMember(id, member.Address, member.Site, capacity, member.FreeBytes, NodeState.Up, now);
                    }
                    else if (!_members.ContainsKey(id))
                    {
                        // Recorded even when its address was already asked (a seed that did not answer): a
                        // down member stays a placement home, so reads must know it to find fragments.
                        _members.TryAdd(id, new SwarmMember(id, member.Address, member.Site, member.CapacityBytes, member.FreeBytes, NodeState.Down, null));
                        if (asked.Add(member.Address))
                        {
                            introduced.Add(member.Address);
                        }
                    }
                }
            }

            round = introduced;
        }

        // Known members that did not answer are down: kept, not forgotten.
        foreach (SwarmMember member in _members.Values)
        {
            if (!reached.Contains(member.Id) && member.State == NodeState.Up)
            {
                _members[member.Id] = member with { State = NodeState.Down };
            }
        }
    }

    private async Task<(MemberId From, UglooPex Pex)[]> AskAllAsync(IEnumerable<string> addresses, CancellationToken cancellationToken)
    {
        var answers = new ConcurrentBag<(MemberId, UglooPex)>();
        await Parallel.ForEachAsync(addresses, cancellationToken, async (address, ct) =>
        {
            try
            {
                PeerClient peer = await _pool.GetAsync(address, ct).ConfigureAwait(false);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                deadline.CancelAfter(_options.ConnectTimeout);
                UglooPex pex = await peer.ExchangeMembersAsync([], deadline.Token).ConfigureAwait(false);
                if (peer.RemoteNodeId is { Length: MemberId.Size } id)
                {
                    answers.Add((new MemberId(id), pex));
                }
            }
            catch (Exception e) when (e is PeerUnavailableException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                Log.PeerConnectionLost(_logger, address, e.Message);
            }
        }).ConfigureAwait(false);
        return [.. answers];
    }

    /// <summary>A sink that spreads each segment's fragments over the nodes (see <see cref="SwarmFragmentSink"/>).</summary>
    /// <param name="dataFragments">k of the objects written through it (durability counts against it).</param>
    public IFragmentSink CreateSink(int dataFragments) => new SwarmFragmentSink(this, dataFragments);

    /// <summary>A source that finds the fragments of <paramref name="manifest"/> on the nodes.</summary>
    public IFragmentSource CreateSource(ObjectManifest manifest) => new SwarmFragmentSource(this, manifest);

    /// <summary>Node losses a code of k + m survives over the nodes up now.</summary>
    public int ToleratedNodeLosses(int k, int m) =>
        SegmentDurability.ToleratedNodeLosses(k, m, _members.Values.Count(x => x.State == NodeState.Up && x.CapacityBytes > 0));

    /// <summary>
    /// Asks every up member for its health figures (ugloo_status) and keeps them in <see cref="Members"/>. A
    /// member that does not answer within the connect timeout keeps no figures; it is not marked down for it.
    /// </summary>
    public async Task RefreshFiguresAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_members.Values.Where(m => m.State == NodeState.Up).Select(async member =>
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(_options.ConnectTimeout);
                PeerClient peer = await GetPeerAsync(member.Address, deadline.Token).ConfigureAwait(false);
                IReadOnlyDictionary<string, long> figures = await peer.StatusAsync(deadline.Token).ConfigureAwait(false);
                if (_members.TryGetValue(member.Id, out SwarmMember? current))
                {
                    _members[member.Id] = current with { Figures = figures };
                }
            }
            catch (Exception e) when (e is PeerUnavailableException or PeerRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Waits until every straggler store has finished (or failed).</summary>
    public Task WaitForBackgroundStoresAsync(CancellationToken cancellationToken) => _background.DrainAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _background.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        await _pool.DisposeAsync().ConfigureAwait(false);
        _credentials.Dispose();
    }

    internal ILogger Logger => _logger;

    internal Task<PeerClient> GetPeerAsync(string address, CancellationToken cancellationToken) => _pool.GetAsync(address, cancellationToken);

    internal BackgroundStores Background => _background;

    internal IReadOnlyList<NodeInfo> Eligible() =>
        [.. _members.Values.Where(m => m.State == NodeState.Up && m.CapacityBytes > 0).Select(m => m.ToNodeInfo())];

    internal IReadOnlyList<NodeInfo> AllNodes() => [.. _members.Values.Select(m => m.ToNodeInfo())];

    internal void MarkDown(MemberId id)
    {
        if (_members.TryGetValue(id, out SwarmMember? member) && member.State == NodeState.Up)
        {
            _members[id] = member with { State = NodeState.Down };
        }
    }
}
