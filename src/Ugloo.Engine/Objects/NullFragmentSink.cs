namespace Ugloo.Engine.Objects;

/// <summary>
/// Drops every fragment and counts it: the sink for measuring the pipeline's own throughput
/// (<c>ugloo bench pipeline</c>). Thread-safe.
/// </summary>
public sealed class NullFragmentSink : IFragmentSink
{
    private long _fragments;
    private long _bytes;

    public long Fragments => Interlocked.Read(ref _fragments);

    public long Bytes => Interlocked.Read(ref _bytes);

    public ValueTask StoreSegmentAsync(ObjectId objectId, int segmentIndex, ulong generation, IReadOnlyList<FragmentId> ids, IReadOnlyList<ReadOnlyMemory<byte>> fragments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fragments);
        long bytes = 0;
        foreach (ReadOnlyMemory<byte> fragment in fragments)
        {
            bytes += fragment.Length;
        }

        Interlocked.Add(ref _fragments, fragments.Count);
        Interlocked.Add(ref _bytes, bytes);
        return ValueTask.CompletedTask;
    }
}
