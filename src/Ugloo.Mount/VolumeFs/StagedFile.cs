using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Ugloo.Engine;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// A file being written through the mount: a private local copy that takes every write and truncate until a
/// flush, fsync or release commits it as a new version. A small copy (up to the journal's small-file limit)
/// lives in memory, within a shared <see cref="ByteBudget"/>: its journal row holds its bytes, so it needs
/// no file. A bigger one, one over a stored version, one that must outlive the process, or any once the budget
/// is spent, is a file under DATA/staging/ (0600, in a 0700 directory). Kept on disk when a commit fails so no
/// written byte is lost. A copy opened over a stored version (<see cref="Base"/>) starts sparse and holds only
/// the segments written or fetched; the rest read from the base.
/// </summary>
internal sealed class StagedFile : IDisposable
{
    private readonly string _directory;
    private readonly ByteBudget? _memory;
    private readonly long _memoryLimit;

    /// <summary>Guards the move from memory to disk; file I/O itself runs outside it.</summary>
    private readonly Lock _sync = new();

    /// <summary>The content while in memory (bytes past <see cref="Length"/> are zero); null once on disk or disposed.</summary>
    private byte[]? _buffer;

    /// <summary>Bytes of <see cref="_memory"/>'s budget that <see cref="_buffer"/> holds.</summary>
    private long _reserved;

    /// <summary>
    /// How far writes and fills reached in <see cref="_buffer"/>; every byte past it is zero. A copy-down fills
    /// before it sets <see cref="Length"/> (<see cref="Loaded"/>), so this, not the length, is what a grown
    /// buffer and a spill to disk must carry.
    /// </summary>
    private long _extent;

    private FileStream? _stream;
    private bool _keep;

    private StagedFile(string path, FileStream? stream, ByteBudget? memory, long memoryLimit)
    {
        FilePath = path;
        _directory = Path.GetDirectoryName(path)!;
        _stream = stream;
        _memory = memory;
        _memoryLimit = memoryLimit;
        _buffer = stream is null ? [] : null;
        Modified = FileTime.Now;
    }

    /// <summary>Where the copy is (or would be) on disk; the journal row names it, and replay writes it there.</summary>
    public string FilePath { get; }

    /// <summary>The file's handle; moves a copy held in memory to disk first.</summary>
    public SafeFileHandle Handle => OnDisk().SafeFileHandle;

    /// <summary>The content is held in memory, not in a file.</summary>
    public bool InMemory
    {
        get
        {
            lock (_sync)
            {
                return _buffer is not null;
            }
        }
    }

    public long Length { get; private set; }

    /// <summary>Changed since the last commit.</summary>
    public bool Dirty { get; set; }

    /// <summary>Written to (not only created or truncated) since the last commit.</summary>
    public bool Written { get; set; }

    public FileTime Modified { get; set; }

    /// <summary>
    /// When a commit failed or the mount stops with the copy still queued: keep the file on disk on dispose (a
    /// copy in memory is written out; if that fails, a queued small file still has its bytes in its journal row).
    /// </summary>
    public bool Keep
    {
        get => _keep;
        set
        {
            _keep = value;
            if (value)
            {
                try
                {
                    OnDisk();
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }

    /// <summary>The stored version this copy shares segments with; null when the staged file holds everything.</summary>
    public StagedBase? Base { get; set; }

    /// <summary>Finished segments sent ahead while a new file is written front to back; null until it is worth it.</summary>
    public WriteBehind? WriteBehind { get; set; }

    /// <summary>Every write so far went at the end of the file (a copy, a download): write-behind may start.</summary>
    public bool AppendOnly { get; private set; } = true;

    /// <summary>
    /// A new, empty copy. With <paramref name="memory"/>, it stays in memory while it is at most
    /// <paramref name="memoryLimit"/> bytes and the budget allows; else it is a file from the start.
    /// </summary>
    public static StagedFile Create(string directory, ByteBudget? memory = null, long memoryLimit = 0)
    {
        string path = Path.Combine(directory, Guid.NewGuid().ToString("N"));
        return memory is not null && memoryLimit > 0
            ? new StagedFile(path, null, memory, memoryLimit)
            : new StagedFile(path, new FileStream(path, OwnerOnly(directory, FileMode.CreateNew, FileAccess.ReadWrite)), null, 0);
    }

    /// <summary>Writes a staged copy anew from the bytes its journal row kept (replay of a small file).</summary>
    public static void Restore(string path, ReadOnlySpan<byte> content)
    {
        using var stream = new FileStream(path, OwnerOnly(Path.GetDirectoryName(path)!, FileMode.Create, FileAccess.Write));
        stream.Write(content);
    }

    /// <summary>Staged copies are plaintext: only the owner may read them (the data directory may be shared).</summary>
    private static FileStreamOptions OwnerOnly(string directory, FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.ReadWrite, BufferSize = 0 };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    /// <summary>Opens a staged copy left by an earlier run (the write-back journal's replay).</summary>
    public static StagedFile Adopt(string path)
    {
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite, BufferSize = 0 });
        return new StagedFile(path, stream, null, 0) { Length = stream.Length };
    }

    /// <summary>
    /// Makes the content survive a crash before the journal row that names it is written, and with it the
    /// base record: which stored version the copy builds on and which segments it shares (without it a sparse
    /// copy could not be told from a whole one). The record is <c>STAGED.base</c>, 0600, big-endian:
    /// <code>
    /// offset size field
    ///      0    4 magic "UGSB"
    ///      4    8 base version id (catalog versions.id), i64
    ///     12    4 segment count of the base, i32
    ///     16  ... shared bitmap, (count + 7) / 8 bytes, bit i % 8 of byte i / 8 = segment i
    /// </code>
    /// </summary>
    public void FlushToDisk()
    {
        OnDisk().Flush(flushToDisk: true);
        if (Base is { } stagedBase)
        {
            byte[] bitmap = stagedBase.SharedBitmap();
            byte[] record = new byte[16 + bitmap.Length];
            "UGSB"u8.CopyTo(record);
            BinaryPrimitives.WriteInt64BigEndian(record.AsSpan(4), stagedBase.Version.Id);
            BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(12), stagedBase.Manifest.SegmentCount);
            bitmap.CopyTo(record, 16);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0 };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(BaseRecordPath, options);
            file.Write(record);
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>The base record <see cref="FlushToDisk"/> wrote, if any (journal replay).</summary>
    /// <exception cref="FormatException">The record is damaged.</exception>
    public bool TryReadBaseRecord(out long versionId, out int segments, out byte[] bitmap)
    {
        versionId = 0;
        segments = 0;
        bitmap = [];
        if (!File.Exists(BaseRecordPath))
        {
            return false;
        }

        byte[] record = File.ReadAllBytes(BaseRecordPath);
        if (record.Length < 16 || !record.AsSpan(0, 4).SequenceEqual("UGSB"u8))
        {
            throw new FormatException($"{BaseRecordPath} is not a base record.");
        }

        versionId = BinaryPrimitives.ReadInt64BigEndian(record.AsSpan(4));
        segments = BinaryPrimitives.ReadInt32BigEndian(record.AsSpan(12));
        if (segments < 1 || record.Length != 16 + ((segments + 7L) / 8))
        {
            throw new FormatException($"{BaseRecordPath} is truncated or names {segments} segments.");
        }

        bitmap = record[16..];
        return true;
    }

    private string BaseRecordPath => BaseRecordPathOf(FilePath);

    /// <summary>Where <see cref="FlushToDisk"/> keeps the base record of the staged copy at <paramref name="stagedPath"/>.</summary>
    public static string BaseRecordPathOf(string stagedPath) => stagedPath + ".base";

    public int Read(long offset, Span<byte> destination)
    {
        if (offset >= Length)
        {
            return 0;
        }

        int count = (int)Math.Min(destination.Length, Length - offset);
        lock (_sync)
        {
            if (_buffer is not null)
            {
                _buffer.AsSpan((int)offset, count).CopyTo(destination);
                return count;
            }

            // After Dispose (the journal released the copy under a reader): as a closed file would answer.
            ObjectDisposedException.ThrowIf(_stream is null, this);
        }

        return RandomAccess.Read(_stream.SafeFileHandle, destination[..count], offset);
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        AppendOnly &= offset == Length;
        long end = offset + data.Length;

        // In memory, the length changes under the same lock as the bytes: a spill to disk on another thread (a
        // send-ahead asking for the handle) must see both or neither.
        if (!TryPutInMemory(offset, data, end))
        {
            RandomAccess.Write(Handle, data, offset);
            Length = Math.Max(Length, end);
        }

        Dirty = true;
        Written = true;
        Modified = FileTime.Now;
    }

    public void SetLength(long length)
    {
        AppendOnly &= length >= Length;
        bool inMemory;
        lock (_sync)
        {
            inMemory = _buffer is not null && Reserve(length);
            if (inMemory)
            {
                if (length < _extent)
                {
                    // Keeps "past the extent is zero" true, so a later extension reads zeros as a file's would.
                    Array.Clear(_buffer!, (int)length, (int)(_extent - length));
                    _extent = length;
                }

                Length = length;
            }
        }

        if (!inMemory)
        {
            OnDisk().SetLength(length);
            Length = length;
        }

        Dirty = true;
        Modified = FileTime.Now;
    }

    /// <summary>Records bytes written to the file by a copy-down (not a change of content).</summary>
    public void Loaded(long length)
    {
        lock (_sync)
        {
            if (_buffer is not null && !Reserve(length))
            {
                OnDisk();
            }

            Length = length;
        }
    }

    /// <summary>Starts the copy over <paramref name="stagedBase"/>: as long as the base, sparse, nothing copied.</summary>
    public void StartOver(StagedBase stagedBase, long length)
    {
        // A sparse copy is a revision: the object writer reads it through its file handle.
        OnDisk().SetLength(length);
        Length = length;
        Base = stagedBase;
    }

    /// <summary>Back to an empty copy with no base (a copy-down that lost its source midway).</summary>
    public void Reset()
    {
        lock (_sync)
        {
            if (_buffer is not null)
            {
                Array.Clear(_buffer, 0, (int)_extent);
                _extent = 0;
            }
            else
            {
                _stream?.SetLength(0);
            }

            Length = 0;
        }

        Base?.Dispose();
        Base = null;
    }

    /// <summary>Puts bytes fetched from the base (or copied from a queued copy) in place: not a change of content.</summary>
    public void Fill(long offset, ReadOnlySpan<byte> data)
    {
        if (!TryPutInMemory(offset, data, length: null))
        {
            RandomAccess.Write(Handle, data, offset);
        }
    }

    /// <summary>A separate read stream over the whole staged content, for the object writer.</summary>
    public Stream OpenRead()
    {
        lock (_sync)
        {
            if (_buffer is not null)
            {
                // A snapshot of the bytes: the stored copy is either queued (nothing writes to it any more) or
                // being fsynced, which holds the node's I/O gate against writes for the whole upload.
                return new MemoryStream(_buffer, 0, (int)Length, writable: false);
            }
        }

        return new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16, FileOptions.SequentialScan);
    }

    public void Dispose()
    {
        WriteBehind?.Dispose();
        Base?.Dispose();
        lock (_sync)
        {
            DropBuffer();
        }

        if (_stream is not null)
        {
            _stream.Dispose();
            if (!_keep)
            {
                File.Delete(FilePath);
                File.Delete(BaseRecordPath);
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="data"/> into the in-memory content if the copy is (and may stay) there, and extends
    /// the length to <paramref name="length"/> (a write) or leaves it (a fill).
    /// </summary>
    private bool TryPutInMemory(long offset, ReadOnlySpan<byte> data, long? length)
    {
        lock (_sync)
        {
            long end = offset + data.Length;
            if (_buffer is null || !Reserve(end))
            {
                return false;
            }

            data.CopyTo(_buffer.AsSpan((int)offset));
            _extent = Math.Max(_extent, end);
            if (length is long grown)
            {
                Length = Math.Max(Length, grown);
            }

            return true;
        }
    }

    /// <summary>
    /// Makes the in-memory buffer hold <paramref name="length"/> bytes; false when that is over the per-file
    /// limit or the shared budget (the caller then moves the copy to disk). Caller holds <see cref="_sync"/>.
    /// </summary>
    private bool Reserve(long length)
    {
        if (length <= _buffer!.Length)
        {
            return true;
        }

        if (length > _memoryLimit)
        {
            return false;
        }

        // Doubling keeps a file written in 4 KiB pieces from copying its buffer at every write.
        long capacity = Math.Min(_memoryLimit, Math.Max(length, Math.Max(4096, 2L * _buffer.Length)));
        if (!_memory!.TryReserve(capacity - _reserved))
        {
            return false;
        }

        byte[] grown = new byte[capacity];
        _buffer.AsSpan(0, (int)_extent).CopyTo(grown);
        _buffer = grown;
        _reserved = capacity;
        return true;
    }

    /// <summary>The file, written from memory first if the copy was held there.</summary>
    private FileStream OnDisk()
    {
        lock (_sync)
        {
            if (_stream is null)
            {
                ObjectDisposedException.ThrowIf(_buffer is null, this);
                var stream = new FileStream(FilePath, OwnerOnly(_directory, FileMode.CreateNew, FileAccess.ReadWrite));
                try
                {
                    // Everything written or filled (a copy-down may be ahead of Length), then the length itself
                    // (an extension past the last write is a hole, as in a file).
                    stream.Write(_buffer.AsSpan(0, (int)_extent));
                    if (Length > _extent)
                    {
                        stream.SetLength(Length);
                    }
                }
                catch
                {
                    stream.Dispose();
                    File.Delete(FilePath);
                    throw;
                }

                _stream = stream;
                DropBuffer();
            }

            return _stream;
        }
    }

    private void DropBuffer()
    {
        if (_buffer is not null)
        {
            _memory?.Release(_reserved);
            _reserved = 0;
            _extent = 0;
            _buffer = null;
        }
    }
}
