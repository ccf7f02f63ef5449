namespace Ugloo.Engine.Objects;

/// <summary>
/// A read-only, forward-only stream of <see cref="Length"/> pseudo-random bytes, deterministic per seed,
/// for benchmarks and tests of big objects without holding them in memory. It repeats a random block
/// whose length (1 MiB - 3 bytes, a prime-ish odd size) does not divide any segment size, so segments
/// differ from each other; producing it costs a memcpy.
/// </summary>
public sealed class GeneratedStream : Stream
{
    private const int BlockLength = (1024 * 1024) - 3;

    private readonly byte[] _block = new byte[BlockLength];
    private long _position;

    public GeneratedStream(long length, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        new Random(seed).NextBytes(_block);
    }

    /// <summary>The byte at <paramref name="position"/>, for checking what was read back.</summary>
    public byte ByteAt(long position) => _block[position % BlockLength];

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int total = (int)Math.Min(buffer.Length, Length - _position);
        int done = 0;
        while (done < total)
        {
            int at = (int)(_position % BlockLength);
            int chunk = Math.Min(total - done, BlockLength - at);
            _block.AsSpan(at, chunk).CopyTo(buffer[done..]);
            done += chunk;
            _position += chunk;
        }

        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
