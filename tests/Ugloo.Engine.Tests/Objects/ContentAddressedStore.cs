using System.Collections.Concurrent;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Tests.Objects;

/// <summary>Fragments by id, as the swarm keeps them, so several versions of one object can share a store.</summary>
internal sealed class ContentAddressedStore : IFragmentSink, IFragmentSource
{
    private readonly ConcurrentDictionary<FragmentId, byte[]> _fragments = new();
    private readonly ConcurrentBag<(int Segment, ulong Generation)> _stored = [];

    /// <summary>Every segment stored, with its generation, in arrival order.</summary>
    public IReadOnlyCollection<(int Segment, ulong Generation)> StoredSegments => _stored;

    public long StoredBytes => _fragments.Values.Sum(f => (long)f.Length);

    public ValueTask StoreSegmentAsync(ObjectId objectId, int segmentIndex, ulong generation, IReadOnlyList<FragmentId> ids, IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken)
    {
        for (int i = 0; i < fragments.Count; i++)
        {
            Assert.True(ids[i].Matches(fragments[i].Span));
            _fragments[ids[i]] = fragments[i].ToArray();
        }

        _stored.Add((segmentIndex, generation));
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> TryFetchAsync(FragmentAddress address, FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (!_fragments.TryGetValue(id, out byte[]? bytes))
        {
            return ValueTask.FromResult(false);
        }

        bytes.CopyTo(destination);
        return ValueTask.FromResult(true);
    }

    public void Clear() => _stored.Clear();
}
