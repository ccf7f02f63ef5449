using System.Collections.Concurrent;
using Ugloo.Engine.Objects;

namespace Ugloo.Mount.Transfer;

/// <summary>
/// Wraps the swarm source to remember which fragments could not be fetched at all (node down, fragment
/// lost, or quarantined by the node's own hash check). The reader's <see cref="ObjectReader.FragmentRejected"/>
/// event covers the other case, bytes that arrived but did not match their id; together they let
/// <c>ugloo get</c> warn that a read succeeded only thanks to parity.
/// </summary>
internal sealed class ObservedFragmentSource(IFragmentSource inner) : IFragmentSource
{
    private readonly ConcurrentBag<FragmentAddress> _missing = [];

    public IReadOnlyCollection<FragmentAddress> Missing => _missing;

    public async ValueTask<bool> TryFetchAsync(FragmentAddress address, FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        bool found = await inner.TryFetchAsync(address, id, destination, cancellationToken).ConfigureAwait(false);
        if (!found)
        {
            _missing.Add(address);
        }

        return found;
    }
}
