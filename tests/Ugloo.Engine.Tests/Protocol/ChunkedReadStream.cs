namespace Ugloo.Engine.Tests.Protocol;

/// <summary>
/// A read-only stream that hands out its bytes in the given chunks: one read never crosses a chunk
/// boundary, the way a socket delivers one TCP segment at a time. Lets tests choose every split.
/// </summary>
internal sealed class ChunkedReadStream : Stream
{
    private readonly Queue<byte[]> _chunks;
    private byte[] _current = [];
    private int _offset;

    public ChunkedReadStream(IEnumerable<byte[]> chunks)
    {
        _chunks = new Queue<byte[]>(chunks);
    }

    public static ChunkedReadStream SplitAt(byte[] bytes, params int[] splits)
    {
        var chunks = new List<byte[]>();
        int start = 0;
        foreach (int split in splits.Append(bytes.Length))
        {
            chunks.Add(bytes[start..split]);
            start = split;
        }

        return new ChunkedReadStream(chunks);
    }

    public static ChunkedReadStream ByteByByte(byte[] bytes) => new(bytes.Select(b => new[] { b }));

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_offset == _current.Length)
        {
            if (!_chunks.TryDequeue(out byte[]? next))
            {
                return 0;
            }

            _current = next;
            _offset = 0;
        }

        int n = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
