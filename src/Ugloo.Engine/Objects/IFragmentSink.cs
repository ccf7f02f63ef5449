namespace Ugloo.Engine.Objects;

/// <summary>Receives the fragments an <see cref="ObjectWriter"/> produces (a swarm uploader, a journal, a counter).</summary>
public interface IFragmentSink
{
    /// <summary>
    /// Stores one fragment. <paramref name="fragment"/> is a view of a pooled buffer and is valid only
    /// until the returned task completes: copy or write it out before completing. Called concurrently
    /// from several workers and in no particular segment order; the n fragments of one segment are
    /// offered together. A thrown exception fails the whole write.
    /// </summary>
    public ValueTask StoreAsync(FragmentAddress address, FragmentId id, ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken);
}
