using System.Text;

namespace Ugloo.Engine.Catalog;

/// <summary>
/// Volume paths: absolute, '/'-separated, no empty, "." or ".." segments, no NUL, each name at most
/// 255 UTF-8 bytes (the POSIX NAME_MAX that the mount will enforce too).
/// </summary>
public static class CatalogPath
{
    public const int MaxNameBytes = 255;

    /// <summary>Normalizes "a/b", "/a//b/" to "/a/b"; "" and "/" are the root "/".</summary>
    /// <exception cref="ArgumentException">The path has a "." or ".." segment, a NUL, or a name too long.</exception>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (string part in parts)
        {
            if (part is "." or "..")
            {
                throw new ArgumentException($"Path '{path}' has a '{part}' segment; volume paths are absolute and plain.", nameof(path));
            }

            if (part.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("Path contains a NUL character.", nameof(path));
            }

            if (Encoding.UTF8.GetByteCount(part) > MaxNameBytes)
            {
                throw new ArgumentException($"Name '{part[..20]}…' is longer than {MaxNameBytes} bytes.", nameof(path));
            }
        }

        return "/" + string.Join('/', parts);
    }

    /// <summary>The parent directory of a normalized path ("/" for top-level names and the root).</summary>
    public static string Parent(string normalized)
    {
        int slash = normalized.LastIndexOf('/');
        return slash <= 0 ? "/" : normalized[..slash];
    }

    /// <summary>The last name of a normalized path ("" for the root).</summary>
    public static string Name(string normalized) => normalized[(normalized.LastIndexOf('/') + 1)..];
}
