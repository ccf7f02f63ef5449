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

    public ValueTask StoreAsync(FragmentAddress address, FragmentId id, ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fragments);
        Interlocked.Add(ref _bytes, fragment.Length);
        return ValueTask.CompletedTask;
    }
}
