using System.IO.Hashing;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Storage;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// Decrypted segments of stored objects on local disk, so reading a file again (another open, the same
/// version through <c>.ugloo/history</c>, after a remount) does not fetch it from the nodes again. Bounded by
/// <see cref="SegmentCacheOptions.MaxBytes"/>, least recently used out first; safe for concurrent readers.
/// </summary>
/// <remarks>
/// <para>A stored segment never changes, so (object id, segment index, generation) names its plaintext for
/// good: no invalidation is needed (a revision that rewrites a segment gives it a new generation). The directory is owner-only (0700) and the files 0600: they hold plaintext, as
/// the staging directory does; both are on the user's own machine, beside the volume key.</para>
/// <para>One file per segment, named <c>OBJECTID.SEGMENT</c> (32 hex digits, a dot, the decimal index), with
/// <c>.GENERATION</c> (16 hex digits) appended for a segment a revision rewrote. Its
/// bytes: the XxHash128 of the plaintext (16 bytes, big-endian as <see cref="XxHash128"/> writes it), then
/// the plaintext. A file whose length or hash does not match (a crash mid-write, disk corruption, an edit)
/// is deleted and read as a miss, never served. Files are written under a temporary name and renamed, so a
/// reader sees a whole file or none.</para>
/// <para>The cache survives restarts: at start the files are indexed, oldest write first out; temporary
/// files left by a crash are deleted.</para>
/// </remarks>
internal sealed class SegmentCache : IDisposable
{
    private const int HashSize = 16;
    private const string TempSuffix = ".tmp";

    /// <summary>Most segments waiting to be written to disk at once, the one being written included (<see cref="Add(ObjectManifest, int, SegmentBuffer)"/>).</summary>
    private const int MaxBackgroundWrites = 8;

    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly ILogger _logger;
    private readonly HotSegments _hot;
    private readonly SerialWorker _writer;
    private readonly Dictionary<(ObjectId Id, int Segment, ulong Generation), LinkedListNode<Entry>> _entries = [];

    // Most recently used first.
    private readonly LinkedList<Entry> _order = new();
    private long _bytes;
    private long _hits;
    private long _misses;
    private long _corrupt;
    private long _directWrites;
    private long _skippedWrites;

    // Whether to try direct I/O for the next file; cleared once the filesystem refuses it.
    private volatile bool _direct = true;

    /// <param name="directory">Where the files are (created owner-only if missing).</param>
    /// <param name="options">The bounds on disk and in memory.</param>
    /// <param name="logger">For damaged files and failed writes.</param>
    /// <param name="segmentSize">The volume's segment size: arrays of that length are pooled (<see cref="Buffers"/>); 0 pools none.</param>
    public SegmentCache(string directory, SegmentCacheOptions options, ILogger logger, int segmentSize = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxBytes);
        Buffers = new SegmentBufferPool(segmentSize);
        _directory = directory;
        _maxBytes = options.MaxBytes;
        _hot = new HotSegments(Math.Min(options.MemoryBytes, options.MaxBytes));
        _logger = logger;
        _writer = new SerialWorker("ugloo cache writer", MaxBackgroundWrites, e => Log.SegmentCacheWriterFailed(_logger, e));
        if (_maxBytes > 0)
        {
            Load();
        }
    }

    /// <summary>Bytes on disk (checksums included), at most <see cref="SegmentCacheOptions.MaxBytes"/>.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Where the arrays of segments read from the swarm or from this cache's files come from.</summary>
    public SegmentBufferPool Buffers { get; }

    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that found nothing usable (corrupt files included): each one is a fetch from the nodes.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Files found damaged and deleted instead of served.</summary>
    public long Corrupt => Interlocked.Read(ref _corrupt);

    /// <summary>Files written with direct I/O (the rest went through the page cache).</summary>
    public long DirectWrites => Interlocked.Read(ref _directWrites);

    /// <summary>Fetched segments kept in memory only, because the disk was behind by <see cref="MaxBackgroundWrites"/> already.</summary>
    public long SkippedWrites => Interlocked.Read(ref _skippedWrites);

    /// <summary>
    /// Segment <paramref name="segment"/> of a manifest from memory, else from disk (then kept in memory too);
    /// null when it is not cached. The caller holds a reference to the buffer and releases it when done; never
    /// write into it.
    /// </summary>
    public SegmentBuffer? TryGet(ObjectManifest manifest, int segment)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ulong generation = manifest.GetGeneration(segment);
        if (_hot.TryGet(manifest.ObjectId, segment, generation) is { } hot)
        {
            Interlocked.Increment(ref _hits);
            return hot;
        }

        SegmentBuffer data = Buffers.Rent(manifest.PlaintextLength(segment));
        if (!TryRead(manifest.ObjectId, segment, generation, data.Array))
        {
            data.Release();
            return null;
        }

        _hot.Add(manifest.ObjectId, segment, generation, data);
        return data;
    }

    /// <summary>
    /// Keeps a fetched segment in memory at once and on disk in the background, each with a reference of its
    /// own (the caller keeps its reference); <paramref name="plaintext"/> is shared from now on: never write into it.
    /// </summary>
    /// <remarks>
    /// Writing the file costs CPU (hashing, and the copy into the direct-I/O buffer) and a slow disk would stall
    /// the reader; in the background the reader does not wait for it. One thread writes the files, one at a time
    /// (<see cref="SerialWorker"/>), and at most <see cref="MaxBackgroundWrites"/> wait: beyond that a segment is
    /// only kept in memory, which costs at most a later fetch, never memory without bound nor a slower read.
    /// </remarks>
    public void Add(ObjectManifest manifest, int segment, SegmentBuffer plaintext)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(plaintext);
        ulong generation = manifest.GetGeneration(segment);
        _hot.Add(manifest.ObjectId, segment, generation, plaintext);
        if (_maxBytes == 0)
        {
            return;
        }

        // The writer holds a reference of its own until the file is written.
        ObjectId id = manifest.ObjectId;
        SegmentBuffer held = plaintext.Retain();
        bool queued = _writer.TryEnqueue(() =>
        {
            try
            {
                Put(id, segment, generation, held.Array);
            }
            finally
            {
                held.Release();
            }
        });
        if (!queued)
        {
            held.Release();
            Interlocked.Increment(ref _skippedWrites);
        }
    }

    /// <summary>Waits for the segments still being written to disk (before the cache's directory is read again).</summary>
    public Task FlushAsync() => _writer.WhenIdleAsync();

    /// <summary>Writes what is queued, then stops the writer thread.</summary>
    public void Dispose() => _writer.Dispose();

    /// <summary>Fills <paramref name="destination"/> (exactly the segment's plaintext length) from the cache.</summary>
    /// <returns>False when the segment is not cached or its file was damaged (then deleted).</returns>
    public bool TryRead(ObjectId id, int segment, Span<byte> destination) => TryRead(id, segment, 0, destination);

    /// <summary>Segment <paramref name="segment"/> of a manifest, whatever its generation.</summary>
    public bool TryRead(ObjectManifest manifest, int segment, Span<byte> destination) =>
        TryRead(manifest.ObjectId, segment, manifest.GetGeneration(segment), destination);

    public void Put(ObjectId id, int segment, ReadOnlySpan<byte> plaintext) => Put(id, segment, 0, plaintext);

    public void Put(ObjectManifest manifest, int segment, ReadOnlySpan<byte> plaintext) =>
        Put(manifest.ObjectId, segment, manifest.GetGeneration(segment), plaintext);

    private bool TryRead(ObjectId id, int segment, ulong generation, Span<byte> destination)
    {
        if (_maxBytes == 0)
        {
            Interlocked.Increment(ref _misses);
            return false;
        }

        LinkedListNode<Entry>? node;
        lock (_lock)
        {
            if (_entries.TryGetValue((id, segment, generation), out node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
            }
        }

        if (node is null)
        {
            Interlocked.Increment(ref _misses);
            return false;
        }

        bool? read = ReadFile(node.Value.Path, destination);
        if (read == true)
        {
            Interlocked.Increment(ref _hits);
            return true;
        }

        Interlocked.Increment(ref _misses);
        if (read == false)
        {
            Interlocked.Increment(ref _corrupt);
            Log.SegmentCacheCorrupt(_logger, Path.GetFileName(node.Value.Path));
        }

        lock (_lock)
        {
            // Only if still this entry: a concurrent Put may have replaced it with a good file.
            if (_entries.TryGetValue((id, segment, generation), out LinkedListNode<Entry>? current) && current == node)
            {
                Forget(node);
                TryDelete(node.Value.Path);
            }
        }

        return false;
    }

    /// <summary>Keeps a decoded segment, evicting the least recently used ones beyond the bound.</summary>
    /// <remarks>Failing to write (disk full) only costs a later fetch: it is logged, not thrown.</remarks>
    private void Put(ObjectId id, int segment, ulong generation, ReadOnlySpan<byte> plaintext)
    {
        long size = plaintext.Length + HashSize;
        if (size > _maxBytes)
        {
            return;
        }

        string path = Path.Combine(_directory, generation == 0 ? $"{id}.{segment}" : $"{id}.{segment}.{generation:x16}");
        string temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            Span<byte> hash = stackalloc byte[HashSize];
            XxHash128.Hash(plaintext, hash);
            using SafeFileHandle? direct = _direct ? DirectFile.TryCreate(temp) : null;
            if (direct is not null)
            {
                WriteDirect(direct, hash, plaintext);
                Interlocked.Increment(ref _directWrites);
            }
            else
            {
                // The filesystem refuses direct I/O (or this is not Linux): ask no more.
                _direct = false;
                using var file = new FileStream(temp, FileOptionsFor(FileMode.CreateNew, FileAccess.Write));
                file.Write(hash);
                file.Write(plaintext);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.SegmentCacheWriteFailed(_logger, Path.GetFileName(path), e.Message);
            TryDelete(temp);
            return;
        }

        // The rename and the evictions' unlinks happen under the lock, so the index and the directory agree:
        // an eviction can never delete the file of a newer put of the same segment.
        lock (_lock)
        {
            try
            {
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.SegmentCacheWriteFailed(_logger, Path.GetFileName(path), e.Message);
                TryDelete(temp);
                return;
            }

            if (_entries.TryGetValue((id, segment, generation), out LinkedListNode<Entry>? old))
            {
                Forget(old);
            }

            Add(new Entry(id, segment, generation, path, size), first: true);
            while (_bytes > _maxBytes && _order.Last is { } last)
            {
                Forget(last);
                TryDelete(last.Value.Path);
            }
        }
    }

    /// <summary>
    /// Writes the file (the hash, then the plaintext) with direct I/O: O_DIRECT writes whole blocks from aligned
    /// memory, so the bytes pass through an aligned buffer a block multiple at a time, and the tail as
    /// <see cref="DirectFile.WriteTail"/> does for the nodes' fragments.
    /// </summary>
    /// <remarks>
    /// Through the page cache, the kernel's copy into new page-cache pages was a fifth of the mount's CPU in a
    /// cold sequential read (perf, docs/BENCHMARKS.md "Session 6"); copying into a reused aligned buffer is
    /// cheaper, and the disk takes the blocks without the later writeback. The page cache would only have held
    /// the same bytes a second time: the kernel keeps what the mount served in its own cache of the file.
    /// </remarks>
    private static void WriteDirect(SafeFileHandle handle, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> plaintext)
    {
        AlignedBuffer stage = AlignedBuffer.Rent();
        long offset = 0;
        int filled = 0;
        try
        {
            Span<byte> buffer = stage.Span;
            hash.CopyTo(buffer);
            filled = hash.Length;
            while (true)
            {
                int count = Math.Min(buffer.Length - filled, plaintext.Length);
                plaintext[..count].CopyTo(buffer[filled..]);
                plaintext = plaintext[count..];
                filled += count;
                if (plaintext.IsEmpty)
                {
                    break;
                }

                // The buffer is full, and its size is a multiple of the alignment.
                RandomAccess.Write(handle, buffer, offset);
                offset += buffer.Length;
                filled = 0;
            }

            DirectFile.WriteTail(handle, buffer, filled, offset);
        }
        finally
        {
            // The buffer is pooled for the life of the process and holds plaintext: wipe what was filled (all of
            // it when an earlier fill went out whole).
            CryptographicOperations.ZeroMemory(offset > 0 ? stage.Span : stage.Span[..filled]);
            AlignedBuffer.Return(stage);
        }
    }

    private void Load()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_directory);
        }
        else
        {
            // Plaintext: owner-only, also when the directory existed with looser permissions.
            Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        List<(FileInfo File, ObjectId Id, int Segment, ulong Generation)> found = [];
        foreach (FileInfo file in new DirectoryInfo(_directory).EnumerateFiles())
        {
            if (TryParseName(file.Name, out ObjectId id, out int segment, out ulong generation) && file.Length >= HashSize)
            {
                found.Add((file, id, segment, generation));
            }
            else
            {
                // A temporary file of a crashed write, or something that is not ours to serve.
                TryDelete(file.FullName);
            }
        }

        // Most recently written first, so the oldest are evicted first.
        found.Sort((a, b) => b.File.LastWriteTimeUtc.CompareTo(a.File.LastWriteTimeUtc));
        List<string> victims = [];
        lock (_lock)
        {
            foreach ((FileInfo file, ObjectId id, int segment, ulong generation) in found)
            {
                if (_bytes + file.Length > _maxBytes)
                {
                    victims.Add(file.FullName);
                    continue;
                }

                Add(new Entry(id, segment, generation, file.FullName, file.Length), first: false);
            }
        }

        foreach (string victim in victims)
        {
            TryDelete(victim);
        }
    }

    private static bool TryParseName(string name, out ObjectId id, out int segment, out ulong generation)
    {
        id = default;
        segment = -1;
        generation = 0;
        int dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot != ObjectId.Size * 2)
        {
            return false;
        }

        ReadOnlySpan<char> rest = name.AsSpan(dot + 1);
        int second = rest.IndexOf('.');
        if (second >= 0)
        {
            if (rest.Length - second - 1 != 16
                || !ulong.TryParse(rest[(second + 1)..], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out generation)
                || generation == 0)
            {
                return false;
            }

            rest = rest[..second];
        }

        if (!int.TryParse(rest, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out segment))
        {
            return false;
        }

        try
        {
            id = ObjectId.Parse(name[..dot]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <returns>True: read and verified; false: damaged; null: gone (evicted meanwhile).</returns>
    private static bool? ReadFile(string path, Span<byte> destination)
    {
        try
        {
            using var file = new FileStream(path, FileOptionsFor(FileMode.Open, FileAccess.Read));
            if (file.Length != destination.Length + HashSize)
            {
                return false;
            }

            Span<byte> stored = stackalloc byte[HashSize];
            file.ReadExactly(stored);
            file.ReadExactly(destination);
            Span<byte> actual = stackalloc byte[HashSize];
            XxHash128.Hash(destination, actual);
            return actual.SequenceEqual(stored);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static FileStreamOptions FileOptionsFor(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.Read | FileShare.Delete, BufferSize = 0 };
        if (mode == FileMode.CreateNew && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    private void Add(Entry entry, bool first)
    {
        LinkedListNode<Entry> node = first ? _order.AddFirst(entry) : _order.AddLast(entry);
        _entries[(entry.Id, entry.Segment, entry.Generation)] = node;
        _bytes += entry.Size;
    }

    private void Forget(LinkedListNode<Entry> node)
    {
        _order.Remove(node);
        _entries.Remove((node.Value.Id, node.Value.Segment, node.Value.Generation));
        _bytes -= node.Value.Size;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start's scan, which deletes what it cannot index.
        }
    }

    private sealed record Entry(ObjectId Id, int Segment, ulong Generation, string Path, long Size);
}
