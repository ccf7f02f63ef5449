namespace Ugloo.Engine.Cluster;

/// <summary>
/// Small secret files (node identity, cluster key): created with mode 0600 from the first byte, so no
/// other user ever sees them, and refused on load when group or others can read them.
/// </summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode OthersAccess =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Writes a new file; fails if it exists (never overwrites a key).</summary>
    public static void CreateNew(string path, ReadOnlySpan<byte> content)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Reads a secret file, refusing one that other users can read or write.</summary>
    public static byte[] Read(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} not found at {path}.", path);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & OthersAccess) != 0)
        {
            throw new UnauthorizedAccessException(
                $"{what} {path} is accessible by other users (mode {Convert.ToString((int)File.GetUnixFileMode(path), 8)}); run 'chmod 600 {path}'.");
        }

        return File.ReadAllBytes(path);
    }
}
