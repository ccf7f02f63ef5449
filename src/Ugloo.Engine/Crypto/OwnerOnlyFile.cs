namespace Ugloo.Engine.Crypto;

/// <summary>
/// Small secret files (volume key, node identity, cluster key): created with mode 0600 from the first
/// byte, so there is no moment when another user could open them, never overwritten, and refused on
/// load when group or others can access them.
/// </summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Writes a new file and flushes it to disk; fails if it exists (a key is never overwritten).</summary>
    public static void CreateNew(string path, ReadOnlySpan<byte> content)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Throws <see cref="KeyFileException"/> when group or others may access <paramref name="path"/>.</summary>
    public static void EnsureOwnerOnly(string path, string what)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows relies on the ACL of the user's profile or the service's data directory.
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new KeyFileException(
                $"{what} '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); refusing to use it. Run 'chmod 600 {path}' and check who may have copied it.");
        }
    }

    /// <summary>Reads a secret file of at most <paramref name="maxLength"/> bytes after checking its mode.</summary>
    public static byte[] Read(string path, int maxLength, string what)
    {
        if (!File.Exists(path))
        {
            throw new KeyFileException($"{what} not found at '{path}'.");
        }

        EnsureOwnerOnly(path, what);
        return ReadSmall(path, maxLength, what);
    }

    /// <summary>Reads a small file without a mode check (a passphrase-protected file may be shared).</summary>
    public static byte[] ReadSmall(string path, int maxLength, string what)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > maxLength)
        {
            throw new KeyFileException($"'{path}' is too large ({stream.Length} bytes) to be an Ugloo {what.ToLowerInvariant()}.");
        }

        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
