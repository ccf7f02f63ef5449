namespace Ugloo.Mount.FileSystem;

/// <summary>
/// A regular file's bytes in memory: a sparse map of fixed 64 KiB chunks, so a truncate that extends the file
/// (or a write far past its end) costs nothing until the hole is written, and a 64 MiB file never needs one
/// 64 MiB array. Missing chunks read as zeros. Not thread-safe: <see cref="MemoryFileSystem"/> holds its lock.
/// </summary>
internal sealed class MemoryFileData
{
    public const int ChunkSize = 64 * 1024;

    private readonly Dictionary<long, byte[]> _chunks = [];

    public long Length { get; private set; }

    /// <summary>Bytes of memory the chunks occupy.</summary>
    public long AllocatedBytes => (long)_chunks.Count * ChunkSize;

    public int Read(long offset, Span<byte> destination)
    {
        if (offset >= Length)
        {
            return 0;
        }

        int total = (int)Math.Min(destination.Length, Length - offset);
        int done = 0;
        while (done < total)
        {
            long position = offset + done;
            long index = position / ChunkSize;
            int within = (int)(position % ChunkSize);
            int count = Math.Min(ChunkSize - within, total - done);
            Span<byte> target = destination.Slice(done, count);
            if (_chunks.TryGetValue(index, out byte[]? chunk))
            {
                chunk.AsSpan(within, count).CopyTo(target);
            }
            else
            {
                target.Clear();
            }

            done += count;
        }

        return total;
    }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>; returns the growth in allocated bytes.</summary>
    public long Write(long offset, ReadOnlySpan<byte> data)
    {
        long before = AllocatedBytes;
        int done = 0;
        while (done < data.Length)
        {
            long position = offset + done;
            long index = position / ChunkSize;
            int within = (int)(position % ChunkSize);
            int count = Math.Min(ChunkSize - within, data.Length - done);
            if (!_chunks.TryGetValue(index, out byte[]? chunk))
            {
                chunk = new byte[ChunkSize];
                _chunks.Add(index, chunk);
            }

            data.Slice(done, count).CopyTo(chunk.AsSpan(within, count));
            done += count;
        }

        Length = Math.Max(Length, offset + data.Length);
        return AllocatedBytes - before;
    }

    /// <summary>Truncates or extends (with a hole); returns the change in allocated bytes.</summary>
    public long SetLength(long length)
    {
        long before = AllocatedBytes;
        if (length < Length)
        {
            // Drop whole chunks past the new end and zero the tail of the last one, so a later extension
            // reads zeros there as POSIX requires.
            long lastIndex = length == 0 ? -1 : (length - 1) / ChunkSize;
            foreach (long index in _chunks.Keys.Where(i => i > lastIndex).ToList())
            {
                _chunks.Remove(index);
            }

            int within = (int)(length % ChunkSize);
            if (within != 0 && _chunks.TryGetValue(lastIndex, out byte[]? chunk))
            {
                chunk.AsSpan(within).Clear();
            }
        }

        Length = length;
        return AllocatedBytes - before;
    }
}
