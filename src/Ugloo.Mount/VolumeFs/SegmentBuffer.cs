namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// A decrypted segment in an array lent by a <see cref="SegmentBufferPool"/>, shared read-only by whoever holds
/// a reference: the segment cache's memory tier, its disk writer, an open handle, a fetch ahead. The array goes
/// back to the pool when the last reference is released.
/// </summary>
/// <remarks>
/// <para>Why pool at all: a cold sequential read decrypted every segment into a new array, and on a virtual
/// machine that hands freed memory back to its host (free page reporting, as here) each of those pages faulted
/// again when touched: 140,000 page faults in the daemon for a 512 MiB read. Reusing a few arrays took the first
/// read after start to 34,000 faults and later ones from 45,000-130,000 to 5,000-7,000, the daemon's CPU per read
/// down by a fifth and the read rate up by 15-25% (docs/BENCHMARKS.md "Session 9").</para>
/// <para>The rule that keeps it safe: read the array only while holding a reference (or while something that
/// never releases its reference, such as a staged copy's base, holds one). A missed <see cref="Release"/> costs
/// nothing but the reuse (the array is then simply collected); a release too many throws.</para>
/// </remarks>
internal sealed class SegmentBuffer
{
    private readonly SegmentBufferPool? _pool;
    private readonly byte[] _array;
    private int _references = 1;

    internal SegmentBuffer(byte[] array, SegmentBufferPool? pool)
    {
        _array = array;
        _pool = pool;
    }

    /// <summary>The segment's plaintext, exactly its length. Never write into it once it is shared.</summary>
    public byte[] Array => _array;

    public int Length => _array.Length;

    /// <summary>An array of its own, pooled by nobody: for plaintext that is not a whole pooled segment.</summary>
    public static SegmentBuffer Unpooled(byte[] array) => new(array, null);

    /// <summary>One more holder; returns this, for <c>x = buffer.Retain()</c>.</summary>
    /// <exception cref="InvalidOperationException">The buffer was released for good already (a bug).</exception>
    public SegmentBuffer Retain()
    {
        int references;
        do
        {
            references = Volatile.Read(ref _references);
            if (references <= 0)
            {
                throw new InvalidOperationException("A segment buffer was retained after its last release.");
            }
        }
        while (Interlocked.CompareExchange(ref _references, references + 1, references) != references);

        return this;
    }

    /// <summary>One holder fewer; the last one gives the array back to the pool.</summary>
    /// <exception cref="InvalidOperationException">Released more often than retained (a bug).</exception>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _pool?.Return(_array);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("A segment buffer was released more often than it was retained.");
        }
    }

    /// <summary>Releases the result of a fetch nobody will read, once it is there.</summary>
    public static void ReleaseWhenDone(Task<SegmentBuffer?> fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        fetch.ContinueWith(
            static t => t.Result?.Release(),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }
}
