namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// Idle segment arrays of one length (the volume's segment size), at most <see cref="MaxIdle"/> of them, for
/// <see cref="SegmentBuffer"/>. Other lengths (a file's last, shorter segment) are allocated and left to the GC.
/// </summary>
/// <remarks>
/// A sequential reader's steady state returns about one array per segment it moves past (its handle lets go of
/// the last one; the memory tier drops its oldest), and rents one per segment it fetches: a few idle arrays
/// cover it. Beyond <see cref="MaxIdle"/> a returned array is left to the GC, so the pool never holds more than
/// that much memory while nothing reads.
/// </remarks>
internal sealed class SegmentBufferPool
{
    /// <summary>Most idle arrays kept.</summary>
    public const int MaxIdle = 4;

    private readonly Lock _lock = new();
    private readonly Stack<byte[]> _idle = new();
    private readonly int _length;
    private long _rented;
    private long _reused;

    /// <param name="length">The length pooled; 0 pools nothing.</param>
    public SegmentBufferPool(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _length = length;
    }

    /// <summary>Arrays of the pooled length handed out so far, and how many of them were reused rather than allocated.</summary>
    public (long Rented, long Reused) Statistics
    {
        get
        {
            lock (_lock)
            {
                return (_rented, _reused);
            }
        }
    }

    /// <summary>Idle arrays held now.</summary>
    public int Idle
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>A buffer of exactly <paramref name="length"/> bytes, with one reference (the caller's). Its contents are undefined.</summary>
    public SegmentBuffer Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length != _length || length == 0)
        {
            // Every byte is overwritten by the read: zeroing a whole segment array first cost 5% of a cold read's CPU.
            return SegmentBuffer.Unpooled(GC.AllocateUninitializedArray<byte>(length));
        }

        lock (_lock)
        {
            _rented++;
            if (_idle.TryPop(out byte[]? array))
            {
                _reused++;
                return new SegmentBuffer(array, this);
            }
        }

        return new SegmentBuffer(GC.AllocateUninitializedArray<byte>(length), this);
    }

    internal void Return(byte[] array)
    {
        lock (_lock)
        {
            if (array.Length == _length && _idle.Count < MaxIdle)
            {
                _idle.Push(array);
            }
        }
    }
}
