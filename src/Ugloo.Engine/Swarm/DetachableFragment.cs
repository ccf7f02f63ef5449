namespace Ugloo.Engine.Swarm;

/// <summary>
/// A fragment being uploaded from memory that the object pipeline owns only until the segment is
/// acknowledged. When a straggling store must outlive that, <see cref="Detach"/> swaps in a private copy.
/// Each chunk is copied out under the same lock (the protocol encoder copies a chunk into its frame
/// synchronously when a send starts), so a chunk never reads a buffer that went back to the pool.
/// </summary>
internal sealed class DetachableFragment(ReadOnlyMemory<byte> data)
{
    private readonly Lock _gate = new();
    private ReadOnlyMemory<byte> _data = data;
    private bool _detached;

    public int Length { get; } = data.Length;

    /// <summary>Runs <paramref name="start"/> on a slice while the buffer cannot be swapped; it must copy synchronously.</summary>
    public TResult WithSlice<TResult>(int offset, int length, Func<ReadOnlyMemory<byte>, TResult> start)
    {
        lock (_gate)
        {
            return start(_data.Slice(offset, length));
        }
    }

    /// <summary>Copies the bytes into memory of our own; returns the bytes now held.</summary>
    public long Detach()
    {
        lock (_gate)
        {
            if (!_detached)
            {
                _data = _data.ToArray();
                _detached = true;
            }

            return _data.Length;
        }
    }
}
