using System.Globalization;
using System.Text;
using System.Xml;
using Ugloo.Engine.Catalog;

namespace Ugloo.Mount.S3;

/// <summary>ListObjects (v1), ListObjectsV2 and ListObjectVersions over the catalog's path index.</summary>
internal sealed partial class S3Handler
{
    private const int MaxKeys = 1000;
    private const int Batch = 1000;

    /// <summary>Sorts after every key that starts with a given prefix (the largest code point).</summary>
    private const string After = "\U0010FFFF";

    private Task ListObjectsAsync(S3Request r, bool v2)
    {
        RequireBucket(r.Bucket);
        string prefix = r.Query("prefix") ?? "";
        string? delimiter = NullIfEmpty(r.Query("delimiter"));
        int maxKeys = ParseMaxKeys(r.Query("max-keys"));
        bool urlEncode = r.Query("encoding-type") == "url";
        string? token = v2 ? NullIfEmpty(r.Query("continuation-token")) : null;
        string marker = v2
            ? (token is not null ? DecodeToken(token) : r.Query("start-after") ?? "")
            : r.Query("marker") ?? "";
        string root = ObjectPaths.Bucket(r.Bucket) + "/";

        var keys = new List<CatalogVersion>();
        var prefixes = new List<string>();
        string? last = null;
        bool truncated = false;
        string after = root + SkipPast(marker, prefix, delimiter);
        while (!truncated && maxKeys > 0)
        {
            IReadOnlyList<CatalogVersion> batch = _volume.Catalog(c => c.ListLatest(root + prefix, after, Batch));
            if (batch.Count == 0)
            {
                break;
            }

            foreach (CatalogVersion version in batch)
            {
                string key = version.Path[root.Length..];
                if (keys.Count + prefixes.Count == maxKeys)
                {
                    truncated = true;
                    break;
                }

                int cut = delimiter is null ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (cut >= 0)
                {
                    string common = key[..(cut + delimiter!.Length)];
                    prefixes.Add(common);
                    last = common;
                    after = root + common + After;
                    break;
                }

                keys.Add(version);
                last = key;
                after = version.Path;
            }
        }

        Dictionary<long, ObjectMetadata?> metadata = _volume.Catalog(c => keys.ToDictionary(k => k.Id, k => c.GetObjectMetadata(k.Id)));
        return S3Xml.WriteAsync(
            r.Response,
            200,
            "ListBucketResult",
            w =>
            {
                w.Element("Name", r.Bucket);
                w.Element("Prefix", Encode(prefix, urlEncode));
                if (v2)
                {
                    w.Element("KeyCount", keys.Count + prefixes.Count);
                    w.Element("ContinuationToken", token);
                    w.Element("StartAfter", r.Query("start-after") is string sa ? Encode(sa, urlEncode) : null);
                    if (truncated)
                    {
                        w.Element("NextContinuationToken", EncodeToken(last!));
                    }
                }
                else
                {
                    w.Element("Marker", Encode(marker, urlEncode));
                    if (truncated)
                    {
                        w.Element("NextMarker", Encode(last!, urlEncode));
                    }
                }

                w.Element("MaxKeys", maxKeys);
                w.Element("Delimiter", delimiter is null ? null : Encode(delimiter, urlEncode));
                w.Element("EncodingType", urlEncode ? "url" : null);
                w.Element("IsTruncated", truncated);
                foreach (CatalogVersion version in keys)
                {
                    w.WriteStartElement("Contents");
                    w.Element("Key", Encode(version.Path[root.Length..], urlEncode));
                    w.Element("LastModified", version.Created);
                    w.Element("ETag", (metadata[version.Id] ?? MetadataOf(version)).ETag);
                    w.Element("Size", version.Size);
                    w.Element("StorageClass", "STANDARD");
                    if (!v2 || r.Query("fetch-owner") == "true")
                    {
                        WriteOwner(w, "Owner");
                    }

                    w.WriteEndElement();
                }

                WritePrefixes(w, prefixes, urlEncode);
            },
            r.Aborted);
    }

    private Task ListObjectVersionsAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        string prefix = r.Query("prefix") ?? "";
        string? delimiter = NullIfEmpty(r.Query("delimiter"));
        int maxKeys = ParseMaxKeys(r.Query("max-keys"));
        bool urlEncode = r.Query("encoding-type") == "url";
        string keyMarker = r.Query("key-marker") ?? "";
        string? versionMarker = NullIfEmpty(r.Query("version-id-marker"));
        string root = ObjectPaths.Bucket(r.Bucket) + "/";

        // Resume after (path, id): all of key-marker's versions are done unless a version-id-marker says where.
        string afterPath = keyMarker.Length == 0 ? "" : root + SkipPast(keyMarker, prefix, delimiter);
        long afterId = versionMarker is null ? 0 : ParseVersionId(versionMarker, keyMarker);
        string? currentPath = versionMarker is null ? null : root + keyMarker;
        (string Key, string? Version) lastAdded = ("", null);
        var entries = new List<(CatalogVersion Version, bool Latest)>();
        var prefixes = new List<string>();
        (string Key, string? Version)? next = null;
        while (next is null && maxKeys > 0)
        {
            IReadOnlyList<CatalogVersion> batch = _volume.Catalog(c => c.ListAllVersions(root + prefix, afterPath, afterId, Batch));
            if (batch.Count == 0)
            {
                break;
            }

            foreach (CatalogVersion version in batch)
            {
                string key = version.Path[root.Length..];
                if (entries.Count + prefixes.Count == maxKeys)
                {
                    next = lastAdded;
                    break;
                }

                int cut = delimiter is null ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (cut >= 0)
                {
                    string common = key[..(cut + delimiter!.Length)];
                    prefixes.Add(common);
                    lastAdded = (common, null);
                    afterPath = root + common + After;
                    afterId = 0;
                    break;
                }

                bool latest = version.Path != currentPath;
                currentPath = version.Path;
                entries.Add((version, latest));
                lastAdded = (key, VersionId(version.Id));
                afterPath = version.Path;
                afterId = version.Id;
            }
        }

        Dictionary<long, ObjectMetadata?> metadata = _volume.Catalog(c => entries.Where(e => !e.Version.IsTombstone).ToDictionary(e => e.Version.Id, e => c.GetObjectMetadata(e.Version.Id)));
        return S3Xml.WriteAsync(
            r.Response,
            200,
            "ListVersionsResult",
            w =>
            {
                w.Element("Name", r.Bucket);
                w.Element("Prefix", Encode(prefix, urlEncode));
                w.Element("KeyMarker", Encode(keyMarker, urlEncode));
                w.Element("VersionIdMarker", versionMarker ?? "");
                if (next is ({ } nextKey, var nextVersion))
                {
                    w.Element("NextKeyMarker", Encode(nextKey, urlEncode));
                    w.Element("NextVersionIdMarker", nextVersion);
                }

                w.Element("MaxKeys", maxKeys);
                w.Element("Delimiter", delimiter is null ? null : Encode(delimiter, urlEncode));
                w.Element("EncodingType", urlEncode ? "url" : null);
                w.Element("IsTruncated", next is not null);
                foreach ((CatalogVersion version, bool latest) in entries)
                {
                    w.WriteStartElement(version.IsTombstone ? "DeleteMarker" : "Version");
                    w.Element("Key", Encode(version.Path[root.Length..], urlEncode));
                    w.Element("VersionId", VersionId(version.Id));
                    w.Element("IsLatest", latest);
                    w.Element("LastModified", version.Created);
                    if (!version.IsTombstone)
                    {
                        w.Element("ETag", (metadata[version.Id] ?? MetadataOf(version)).ETag);
                        w.Element("Size", version.Size);
                        w.Element("StorageClass", "STANDARD");
                    }

                    WriteOwner(w, "Owner");
                    w.WriteEndElement();
                }

                WritePrefixes(w, prefixes, urlEncode);
            },
            r.Aborted);
    }

    /// <summary>The path position to list after: past every key under <paramref name="marker"/> when the marker is a common prefix.</summary>
    private static string SkipPast(string marker, string prefix, string? delimiter) =>
        delimiter is not null && marker.Length > prefix.Length && marker.StartsWith(prefix, StringComparison.Ordinal) && marker.EndsWith(delimiter, StringComparison.Ordinal)
            ? marker + After
            : marker;

    private static void WritePrefixes(XmlWriter w, List<string> prefixes, bool urlEncode)
    {
        foreach (string common in prefixes)
        {
            w.WriteStartElement("CommonPrefixes");
            w.Element("Prefix", Encode(common, urlEncode));
            w.WriteEndElement();
        }
    }

    private static int ParseMaxKeys(string? value)
    {
        if (value is null)
        {
            return MaxKeys;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? Math.Min(n, MaxKeys)
            : throw S3Errors.InvalidArgument("max-keys must be a non-negative integer.");
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Encode(string value, bool urlEncode) => urlEncode ? Auth.SigV4.UriEncode(value, keepSlash: true) : value;

    /// <summary>A continuation token is the last key or prefix returned, base64url-encoded (opaque to clients).</summary>
    private static string EncodeToken(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeToken(string token)
    {
        try
        {
            string base64 = token.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - (base64.Length % 4)) % 4);
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            throw S3Errors.InvalidArgument("The continuation token provided is incorrect.");
        }
    }
}
