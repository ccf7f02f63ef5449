using System.Collections.Concurrent;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Swarm;

/// <summary>Which fragments the up nodes hold, asked in batches of ugloo_have: what volume health is computed from.</summary>
public sealed partial class SwarmClient
{
    /// <summary>Ids per ugloo_have query: half the 32 Ki a message may carry, so an answer always fits.</summary>
    internal const int HaveBatch = 16 * 1024;

    /// <summary>
    /// Asks every up node which of <paramref name="ids"/> it holds and returns those held by at least one. A
    /// node that fails to answer counts as holding nothing (it is marked down, as a failed read would).
    /// </summary>
    public async Task<IReadOnlySet<FragmentId>> FindHeldAsync(IReadOnlyCollection<FragmentId> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        FragmentId[][] batches = [.. ids.Distinct().Chunk(HaveBatch)];
        var held = new ConcurrentDictionary<FragmentId, bool>();
        SwarmMember[] up = [.. _members.Values.Where(m => m.State == NodeState.Up)];
        await Parallel.ForEachAsync(up, cancellationToken, async (member, ct) =>
        {
            try
            {
                PeerClient peer = await _pool.GetAsync(member.Address, ct).ConfigureAwait(false);
                foreach (FragmentId[] batch in batches)
                {
                    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    deadline.CancelAfter(_options.RequestTimeout);
                    foreach (FragmentId id in await peer.HaveAsync(batch, deadline.Token).ConfigureAwait(false))
                    {
                        held.TryAdd(id, true);
                    }
                }
            }
            catch (Exception e) when (e is PeerUnavailableException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                Log.PeerConnectionLost(_logger, member.Address, e.Message);
                MarkDown(member.Id);
            }
        }).ConfigureAwait(false);
        return held.Keys.ToHashSet();
    }
}
