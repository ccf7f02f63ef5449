using System.Collections.Concurrent;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Tests.Objects;

/// <summary>A sink and source over a dictionary, with knobs to lose and corrupt fragments.</summary>
internal sealed class MemoryFragmentStore : IFragmentSink, IFragmentSource
{
    private readonly ConcurrentDictionary<FragmentAddress, byte[]> _fragments = new();
    private readonly ConcurrentDictionary<FragmentAddress, FragmentId> _ids = new();
    private readonly ConcurrentDictionary<int, int> _fetchesPerSegment = new();

    public int Count => _fragments.Count;

    public IReadOnlyDictionary<int, int> FetchesPerSegment => _fetchesPerSegment;

    public byte[] this[FragmentAddress address] => _fragments[address];

    public ValueTask StoreSegmentAsync(ObjectId objectId, int segmentIndex, ulong generation, IReadOnlyList<FragmentId> ids, IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken)
    {
        Assert.Equal(ids.Count, fragments.Count);
        for (int i = 0; i < fragments.Count; i++)
        {
            // The buffers are only lent for the duration of the call: copy them.
            var address = new FragmentAddress(segmentIndex, i);
            Assert.True(ids[i].Matches(fragments[i].Span), $"The writer handed out {address} with an id that does not match its bytes.");
            Assert.True(_fragments.TryAdd(address, fragments[i].ToArray()), $"{address} stored twice.");
            _ids[address] = ids[i];
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask<bool> TryFetchAsync(FragmentAddress address, FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        await Task.Yield();
        _fetchesPerSegment.AddOrUpdate(address.SegmentIndex, 1, (_, n) => n + 1);
        if (!_fragments.TryGetValue(address, out byte[]? bytes))
        {
            return false;
        }

        Assert.Equal(bytes.Length, destination.Length);
        bytes.CopyTo(destination);
        return true;
    }

    public void Lose(FragmentAddress address) => Assert.True(_fragments.TryRemove(address, out _));

    public void Put(FragmentAddress address, byte[] bytes) => _fragments[address] = bytes;

    public void FlipByte(FragmentAddress address, int offset) => _fragments[address][offset] ^= 0x5A;

    public void ResetFetchCounts() => _fetchesPerSegment.Clear();
}
