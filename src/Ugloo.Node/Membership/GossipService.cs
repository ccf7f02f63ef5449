using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Membership;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Membership;

/// <summary>
/// Keeps the member table current: joins through the --join seeds (retrying with backoff until one answers),
/// then every gossip interval exchanges ugloo_pex with every known member, over one pooled connection per
/// member. A member that has not answered for longer than the down grace is marked down (kept); it is up
/// again as soon as it answers. Without a cluster key the node cannot authenticate, so it does not gossip.
/// </summary>
internal sealed class GossipService : BackgroundService
{
    private static readonly TimeSpan s_firstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_maxRetry = TimeSpan.FromSeconds(30);

    private readonly NodeRuntime _runtime;
    private readonly ILogger<GossipService> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ConcurrentDictionary<string, PeerClient> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeSpan _interval;
    private readonly TimeSpan _grace;
    private readonly TimeSpan _exchangeTimeout;

    public GossipService(NodeRuntime runtime, ILogger<GossipService> logger, IHostApplicationLifetime lifetime)
    {
        _runtime = runtime;
        _logger = logger;
        _lifetime = lifetime;
        _interval = runtime.Options.GossipIntervalValue;
        _grace = runtime.Options.DownAfterValue;

        // Long enough for a connect plus the opening sequence on a loaded machine, short enough that a
        // silent member cannot stall a round past its own grace.
        _exchangeTimeout = TimeSpan.FromTicks(Math.Clamp(_grace.Ticks / 3, TimeSpan.FromSeconds(1).Ticks, PeerDialer.DefaultTimeout.Ticks));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_runtime.Credentials is null)
        {
            return;
        }

        Task join = Task.CompletedTask;
        try
        {
            join = JoinAsync(stoppingToken);
            using var timer = new PeriodicTimer(_interval);
            do
            {
                await RoundAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.ServiceFailed(_logger, nameof(GossipService), e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
            throw;
        }
        finally
        {
            await AwaitQuietlyAsync(join).ConfigureAwait(false);
            foreach (PeerClient client in _clients.Values)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            _clients.Clear();
        }
    }

    private static async Task AwaitQuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Tries every seed until at least one answers a pex exchange; backoff doubles up to 30 s.</summary>
    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        List<string> seeds = _runtime.Options.Join;
        if (seeds.Count == 0)
        {
            return;
        }

        TimeSpan delay = s_firstRetry;
        while (true)
        {
            (bool Ok, string Error)[] results = await Task.WhenAll(seeds.Select(seed => ExchangeAsync(seed, expected: null, cancellationToken))).ConfigureAwait(false);
            int answered = Array.FindIndex(results, r => r.Ok);
            if (answered >= 0)
            {
                Log.Joined(_logger, seeds[answered], _runtime.Members.Count);
                return;
            }

            Log.JoinRetry(_logger, string.Join(", ", seeds), Duration.Format(delay), results[^1].Error);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxRetry.Ticks));
        }
    }

    /// <summary>One exchange with every known member, all at once; each is bounded by the exchange timeout.</summary>
    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Member> members = _runtime.Members.GetMembers();
        await Task.WhenAll(members.Select(async member =>
        {
            (bool ok, _) = await ExchangeAsync(member.Address, member.Id, cancellationToken).ConfigureAwait(false);
            if (!ok)
            {
                MembershipLog.Report(_logger, _runtime.Members.MarkSilent(member.Id, _grace, DateTimeOffset.UtcNow), _grace);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends our view to <paramref name="address"/> and merges its answer. True when it answered and is the
    /// member we expected there (any node, for a seed).
    /// </summary>
    private async Task<(bool Ok, string Error)> ExchangeAsync(string address, MemberId? expected, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_exchangeTimeout);
        PeerClient? client = null;
        try
        {
            client = await GetClientAsync(address, deadline.Token).ConfigureAwait(false);
            MemberTable members = _runtime.Members;
            members.UpdateSelf(_runtime.Store.FreeBytes);
            UglooPex answer = await client.ExchangeMembersAsync(members.ToPex(), deadline.Token).ConfigureAwait(false);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            MemberId? sender = client.RemoteNodeId is { Length: MemberId.Size } id ? new MemberId(id) : null;
            MembershipLog.Report(_logger, members.Merge(answer.Members, sender, now), _grace);
            if (sender is { } answeredBy)
            {
                MembershipLog.Report(_logger, members.MarkHeard(answeredBy, now), _grace);
            }

            return expected is null || sender == expected
                ? (true, "")
                : (false, $"{address} is now node {sender?.ToString() ?? "(none)"}");
        }
        catch (Exception e) when (e is PeerUnavailableException or IOException or ObjectDisposedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            string reason = e is OperationCanceledException ? $"no answer within {Duration.Format(_exchangeTimeout)}" : e.Message;
            Log.ExchangeFailed(_logger, address, reason);
            if (client is not null && _clients.TryRemove(new KeyValuePair<string, PeerClient>(address, client)))
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            return (false, reason);
        }
    }

    private async Task<PeerClient> GetClientAsync(string address, CancellationToken cancellationToken)
    {
        if (_clients.TryGetValue(address, out PeerClient? pooled))
        {
            if (pooled.IsOpen)
            {
                return pooled;
            }

            if (_clients.TryRemove(new KeyValuePair<string, PeerClient>(address, pooled)))
            {
                await pooled.DisposeAsync().ConfigureAwait(false);
            }
        }

        PeerClient client = await PeerClient.ConnectAsync(address, _runtime.Credentials!, _logger, _exchangeTimeout, cancellationToken).ConfigureAwait(false);
        if (_clients.TryAdd(address, client))
        {
            return client;
        }

        // Another exchange connected to the same address meanwhile: keep one connection.
        await client.DisposeAsync().ConfigureAwait(false);
        return _clients.TryGetValue(address, out PeerClient? winner) ? winner : throw new PeerUnavailableException(address, "connection replaced while in use");
    }
}
