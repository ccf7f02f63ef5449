using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>Catalog root pointers on every node: put to all that are up, gathered from all for recovery.</summary>
public sealed partial class SwarmClient
{
    /// <summary>
    /// Offers <paramref name="record"/> to every up node at once. Returns how many nodes hold it now, and the
    /// highest sequence any node reported holding (so a caller whose sequence was stale can go above it).
    /// </summary>
    public async Task<RootPublishResult> PublishRootAsync(byte[] record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        SwarmMember[] up = [.. _members.Values.Where(m => m.State == NodeState.Up)];
        UglooRootPut?[] answers = await Task.WhenAll(up.Select(async member =>
        {
            try
            {
                PeerClient peer = await _pool.GetAsync(member.Address, cancellationToken).ConfigureAwait(false);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(_options.RequestTimeout);
                return await peer.PutRootAsync(record, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PeerUnavailableException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.PeerConnectionLost(_logger, member.Address, e.Message);
                return null;
            }
        })).ConfigureAwait(false);
        int stored = answers.Count(a => a is { Ok: true });
        long highest = answers.Where(a => a is not null).Select(a => a!.Sequence).DefaultIfEmpty(0).Max();
        string? refusal = answers.FirstOrDefault(a => a is { Ok: false, Error: not UglooRootPut.StaleCode })?.Reason;
        return new RootPublishResult(stored, up.Length, highest, refusal);
    }

    /// <summary>The pointers the up nodes hold for <paramref name="volumeId"/>, unverified, with the address each came from.</summary>
    public async Task<IReadOnlyList<(string Address, byte[] Record)>> FetchRootsAsync(byte[] volumeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volumeId);
        SwarmMember[] up = [.. _members.Values.Where(m => m.State == NodeState.Up)];
        (string, byte[]?)[] answers = await Task.WhenAll(up.Select(async member =>
        {
            try
            {
                PeerClient peer = await _pool.GetAsync(member.Address, cancellationToken).ConfigureAwait(false);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(_options.RequestTimeout);
                return (member.Address, await peer.GetRootAsync(volumeId, deadline.Token).ConfigureAwait(false));
            }
            catch (Exception e) when (e is PeerUnavailableException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                Log.PeerConnectionLost(_logger, member.Address, e.Message);
                return (member.Address, null);
            }
        })).ConfigureAwait(false);
        return [.. answers.Where(a => a.Item2 is not null).Select(a => (a.Item1, a.Item2!))];
    }
}

/// <summary>What publishing a root pointer achieved.</summary>
/// <param name="Stored">Nodes that hold it now.</param>
/// <param name="Asked">Up nodes it was offered to.</param>
/// <param name="HighestSequence">The highest sequence any node reported holding.</param>
/// <param name="Refusal">A node's reason for refusing it other than staleness (a bad signature), if any.</param>
public sealed record RootPublishResult(int Stored, int Asked, long HighestSequence, string? Refusal);
