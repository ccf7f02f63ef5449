using Microsoft.Win32.SafeHandles;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// A file being written through the mount: a private (0600, in a 0700 directory) local copy under
/// DATA/staging/ that takes every write and truncate until a flush, fsync or release commits it as a new
/// version. Kept on disk when a commit fails so no written byte is lost.
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

    public static StagedFile Create(string directory)
    {
        string path = Path.Combine(directory, Guid.NewGuid().ToString("N"));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite, BufferSize = 0 };
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            // Staged copies are plaintext: only the owner may read them (the data directory may be shared).
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, options);
        return new StagedFile(path, stream);
    }

    /// <summary>Opens a staged copy left by an earlier run (the write-back journal's replay).</summary>
    public static StagedFile Adopt(string path)
    {
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.ReadWrite, BufferSize = 0 });
        return new StagedFile(path, stream) { Length = stream.Length };
    }

    /// <summary>Makes the content survive a crash before the journal row that names it is written.</summary>
    public void FlushToDisk() => _stream.Flush(flushToDisk: true);

    public int Read(long offset, Span<byte> destination) =>
        offset >= Length ? 0 : RandomAccess.Read(Handle, destination[..(int)Math.Min(destination.Length, Length - offset)], offset);

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        RandomAccess.Write(Handle, data, offset);
        Length = Math.Max(Length, offset + data.Length);
        Dirty = true;
        Written = true;
        Modified = FileTime.Now;
    }

    public void SetLength(long length)
    {
        _stream.SetLength(length);
        Length = length;
        Dirty = true;
        Modified = FileTime.Now;
    }

    /// <summary>Records bytes written to the file by a copy-down (not a change of content).</summary>
    public void Loaded(long length) => Length = length;

    /// <summary>A separate read stream over the whole staged content, for the object writer.</summary>
    public FileStream OpenRead() =>
        new(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16, FileOptions.SequentialScan);

    public void Dispose()
    {
        _stream.Dispose();
        if (!Keep)
        {
            File.Delete(FilePath);
        }
    }
}
