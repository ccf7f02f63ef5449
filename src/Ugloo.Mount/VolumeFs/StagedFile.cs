using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// A file being written through the mount: a private (0600, in a 0700 directory) local copy under
/// DATA/staging/ that takes every write and truncate until a flush, fsync or release commits it as a new
/// version. Kept on disk when a commit fails so no written byte is lost. A copy opened over a stored
/// version (<see cref="Base"/>) starts sparse and holds only the segments written or fetched; the rest read
/// from the base.
/// </summary>
internal sealed class StagedFile : IDisposable
{
    private readonly FileStream _stream;

    private StagedFile(string path, FileStream stream)
    {
        FilePath = path;
        _stream = stream;
        Modified = FileTime.Now;
    }

    public string FilePath { get; }

    public SafeFileHandle Handle => _stream.SafeFileHandle;

    public long Length { get; private set; }

    /// <summary>Changed since the last commit.</summary>
    public bool Dirty { get; set; }

    /// <summary>Written to (not only created or truncated) since the last commit.</summary>
    public bool Written { get; set; }

    public FileTime Modified { get; set; }

    /// <summary>When a commit failed: keep the file on disk on dispose.</summary>
    public bool Keep { get; set; }

    /// <summary>The stored version this copy shares segments with; null when the staged file holds everything.</summary>
    public StagedBase? Base { get; set; }

    /// <summary>Finished segments sent ahead while a new file is written front to back; null until it is worth it.</summary>
    public WriteBehind? WriteBehind { get; set; }

    /// <summary>Every write so far went at the end of the file (a copy, a download): write-behind may start.</summary>
    public bool AppendOnly { get; private set; } = true;

    public static StagedFile Create(string directory)
    {
        string path = Path.Combine(directory, Guid.NewGuid().ToString("N"));
        return new StagedFile(path, new FileStream(path, OwnerOnly(directory, FileMode.CreateNew, FileAccess.ReadWrite)));
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
        return new StagedFile(path, stream) { Length = stream.Length };
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
        _stream.Flush(flushToDisk: true);
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

    private string BaseRecordPath => FilePath + ".base";

    public int Read(long offset, Span<byte> destination) =>
        offset >= Length ? 0 : RandomAccess.Read(Handle, destination[..(int)Math.Min(destination.Length, Length - offset)], offset);

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        AppendOnly &= offset == Length;
        RandomAccess.Write(Handle, data, offset);
        Length = Math.Max(Length, offset + data.Length);
        Dirty = true;
        Written = true;
        Modified = FileTime.Now;
    }

    public void SetLength(long length)
    {
        AppendOnly &= length >= Length;
        _stream.SetLength(length);
        Length = length;
        Dirty = true;
        Modified = FileTime.Now;
    }

    /// <summary>Records bytes written to the file by a copy-down (not a change of content).</summary>
    public void Loaded(long length) => Length = length;

    /// <summary>Starts the copy over <paramref name="stagedBase"/>: as long as the base, sparse, nothing copied.</summary>
    public void StartOver(StagedBase stagedBase, long length)
    {
        _stream.SetLength(length);
        Length = length;
        Base = stagedBase;
    }

    /// <summary>Back to an empty copy with no base (a copy-down that lost its source midway).</summary>
    public void Reset()
    {
        _stream.SetLength(0);
        Length = 0;
        Base?.Dispose();
        Base = null;
    }

    /// <summary>Puts bytes fetched from the base (or copied from a queued copy) in place: not a change of content.</summary>
    public void Fill(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(Handle, data, offset);

    /// <summary>A separate read stream over the whole staged content, for the object writer.</summary>
    public FileStream OpenRead() =>
        new(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16, FileOptions.SequentialScan);

    public void Dispose()
    {
        WriteBehind?.Dispose();
        Base?.Dispose();
        _stream.Dispose();
        if (!Keep)
        {
            File.Delete(FilePath);
            File.Delete(BaseRecordPath);
        }
    }
}
