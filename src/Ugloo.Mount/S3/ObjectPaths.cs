using Ugloo.Engine.Catalog;

namespace Ugloo.Mount.S3;

/// <summary>
/// How S3 names map to volume paths: bucket B is the top-level directory /B, key K the file /B/K. Keys
/// that no file path can hold (empty segments as in "a//b", ".", "..") are refused rather than renamed.
/// </summary>
internal static class ObjectPaths
{
    public static string Bucket(string bucket) => "/" + bucket;

    public static string Object(string bucket, string key)
    {
        string path = "/" + bucket + "/" + key;
        string normalized;
        try
        {
            normalized = CatalogPath.Normalize(path);
        }
        catch (ArgumentException e)
        {
            throw S3Errors.InvalidArgument($"The key cannot be stored in the volume: {e.Message}");
        }

        if (normalized != path)
        {
            throw S3Errors.InvalidArgument($"The key '{key}' cannot be stored in the volume: keys map to file paths, which have no empty segments or leading '/'.");
        }

        return path;
    }

    /// <summary>S3 bucket naming rules (3-63 characters: lower-case letters, digits, '.', '-'; starting and ending with a letter or digit).</summary>
    public static bool IsValidNewBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>A name an existing bucket can have: one path segment.</summary>
    public static bool IsBucketSegment(string name) => name.Length is > 0 and <= CatalogPath.MaxNameBytes && name is not ("." or "..") && !name.Contains('/', StringComparison.Ordinal) && !name.Contains('\0', StringComparison.Ordinal);
}
