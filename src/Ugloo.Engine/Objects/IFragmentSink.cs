namespace Ugloo.Engine.Objects;

/// <summary>Receives the fragments an <see cref="ObjectWriter"/> produces (a swarm uploader, a journal, a counter).</summary>
public interface IFragmentSink
{
    /// <summary>
    /// Stores the n fragments of one segment: <c>fragments[i]</c> is fragment index i with id <c>ids[i]</c>.
    /// The whole segment comes in one call because durability is a property of the segment (enough
    /// fragments on distinct nodes), and because placement hashes (object id, segment index). The
    /// fragment buffers are views of pooled memory, valid only until the returned task completes: copy
    /// or write them out before completing. Called concurrently from several workers, in no particular
    /// segment order. A thrown exception fails the whole write. <paramref name="generation"/> is 0 for an
    /// object's first write and the revision's random number for a rewritten segment (it is part of the
    /// segment's placement key).
    /// </summary>
    public ValueTask StoreSegmentAsync(
        ObjectId objectId,
        int segmentIndex,
        ulong generation,
        IReadOnlyList<FragmentId> ids,
        IReadOnlyList<ReadOnlyMemory<byte>> fragments,
        CancellationToken cancellationToken);
}
