using System.Globalization;
using Microsoft.AspNetCore.Http;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Mount.S3.Body;

namespace Ugloo.Mount.S3;

/// <summary>Object operations: an object is a file of the volume, each PUT a new immutable version.</summary>
internal sealed partial class S3Handler
{
    private const string DefaultContentType = "binary/octet-stream";

    /// <summary>Standard headers a PUT may set that GET returns as given.</summary>
    private static readonly string[] s_storedHeaders = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires"];

    private async Task PutObjectAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        if (r.Key.EndsWith('/'))
        {
            await PutFolderMarkerAsync(r).ConfigureAwait(false);
            return;
        }

        string path = ObjectPaths.Object(r.Bucket, r.Key);
        RefuseConflicts(path, r.Key);
        using var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity);
        if (body.DeclaredLength > _options.MaxPutSize)
        {
            throw S3Errors.EntityTooLarge();
        }

        ObjectWriteResult result = await _volume.WriteAsync(body.Stream, r.Aborted).ConfigureAwait(false);
        body.Verify();
        ObjectMetadata metadata = MetadataFromRequest(r, body.ETag());
        long id = _volume.Catalog(c => c.AddVersion(path, result.Manifest.PlaintextSize, result.Manifest.Serialize(), result.WrappedKey.Serialize(), DateTimeOffset.UtcNow, metadata));
        r.Response.Headers.ETag = metadata.ETag;
        r.Response.Headers["x-amz-version-id"] = VersionId(id);
        r.Response.StatusCode = 200;
    }

    /// <summary>An empty object whose key ends in '/' is a folder: an explicit directory of the volume.</summary>
    private async Task PutFolderMarkerAsync(S3Request r)
    {
        string path = ObjectPaths.Object(r.Bucket, r.Key.TrimEnd('/'));
        using var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity);
        if ((await body.ReadSmallAsync(0, r.Aborted).ConfigureAwait(false)).Length != 0)
        {
            throw S3Errors.InvalidArgument("A key ending in '/' is a folder of the volume and holds no data.");
        }

        _volume.Catalog(c =>
        {
            if (c.GetLatest(path) is not null)
            {
                throw S3Errors.InvalidRequest($"'{r.Key.TrimEnd('/')}' is a file in the volume; it cannot also be a folder.");
            }

            c.AddDirectory(path, DateTimeOffset.UtcNow);
            return 0;
        });
        r.Response.Headers.ETag = body.ETag();
        r.Response.StatusCode = 200;
    }

    /// <summary>A file path cannot also be a directory (the mount shows one tree): refuse keys that would make one both.</summary>
    private void RefuseConflicts(string path, string key)
    {
        _volume.Catalog(c =>
        {
            if (c.GetLatest(path) is null && c.GetDirectory(path) is not null)
            {
                throw S3Errors.InvalidRequest($"'{key}' is a folder in the volume (other keys start with '{key}/'); it cannot also be an object.");
            }

            for (string parent = CatalogPath.Parent(path); CatalogPath.Parent(parent) != "/"; parent = CatalogPath.Parent(parent))
            {
                if (c.GetLatest(parent) is not null)
                {
                    throw S3Errors.InvalidRequest($"'{parent[(parent.IndexOf('/', 1) + 1)..]}' is an object in the volume; it cannot also be a folder of '{key}'.");
                }
            }

            return 0;
        });
    }

    private async Task GetObjectAsync(S3Request r, bool head)
    {
        RequireBucket(r.Bucket);
        if (r.Key.EndsWith('/') && r.Query("versionId") is null)
        {
            string folder = ObjectPaths.Object(r.Bucket, r.Key.TrimEnd('/'));
            if (_volume.Catalog(c => c.GetLatest(folder) is null ? c.GetDirectory(folder) : null) is DateTimeOffset made)
            {
                r.Response.Headers.ETag = EmptyETag;
                r.Response.Headers.LastModified = made.ToString("R", CultureInfo.InvariantCulture);
                r.Response.ContentType = "application/x-directory";
                r.Response.ContentLength = 0;
                return;
            }

            throw S3Errors.NoSuchKey(r.Key);
        }

        CatalogVersion version = LatestOrThrow(r.Bucket, r.Key, r.Query("versionId"));
        ObjectMetadata metadata = MetadataOf(version);
        DateTimeOffset modified = version.Created;
        HttpResponse response = r.Response;
        response.Headers.ETag = metadata.ETag;
        response.Headers.LastModified = modified.ToString("R", CultureInfo.InvariantCulture);
        response.Headers["x-amz-version-id"] = VersionId(version.Id);
        response.Headers.AcceptRanges = "bytes";
        if (Preconditions(r, metadata.ETag, modified) is int status)
        {
            if (status == 412)
            {
                throw S3Errors.PreconditionFailed("If-Match");
            }

            response.StatusCode = status;
            return;
        }

        long size = version.Size;
        (long start, long length)? range = ParseRange(r.Header("range"), size);
        response.ContentType = r.Query("response-content-type") ?? metadata.ContentType ?? DefaultContentType;
        foreach ((string name, string value) in metadata.Headers)
        {
            response.Headers[name] = value;
        }

        foreach ((string name, string value) in metadata.UserMetadata)
        {
            response.Headers["x-amz-meta-" + name] = value;
        }

        foreach (string name in new[] { "cache-control", "content-disposition", "content-encoding", "content-language", "expires" })
        {
            if (r.Query("response-" + name) is string overridden)
            {
                response.Headers[name] = overridden;
            }
        }

        long offset = 0, count = size;
        if (range is (long s, long l))
        {
            (offset, count) = (s, l);
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {s}-{s + l - 1}/{size}";
        }

        response.ContentLength = count;
        if (head || count == 0)
        {
            return;
        }

        await response.StartAsync(r.Aborted).ConfigureAwait(false);
        await _volume.ReadAsync(version, offset, count, response.Body, r.Aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// RFC 9110 13.2.2 order as S3 applies it: If-Match, else If-Unmodified-Since (412); If-None-Match, else
    /// If-Modified-Since (304). Null when the request may proceed.
    /// </summary>
    private static int? Preconditions(S3Request r, string etag, DateTimeOffset modified)
    {
        DateTimeOffset seconds = DateTimeOffset.FromUnixTimeSeconds(modified.ToUnixTimeSeconds());
        if (r.Header("if-match") is string ifMatch)
        {
            if (!ETagMatches(ifMatch, etag))
            {
                return 412;
            }
        }
        else if (HttpDate(r.Header("if-unmodified-since")) is DateTimeOffset unmodifiedSince && seconds > unmodifiedSince)
        {
            return 412;
        }

        if (r.Header("if-none-match") is string ifNoneMatch)
        {
            if (ETagMatches(ifNoneMatch, etag))
            {
                return 304;
            }
        }
        else if (HttpDate(r.Header("if-modified-since")) is DateTimeOffset modifiedSince && seconds <= modifiedSince)
        {
            return 304;
        }

        return null;
    }

    private static bool ETagMatches(string header, string etag) =>
        header.Split(',', StringSplitOptions.TrimEntries).Any(t => t == "*" || t.Trim('"') == etag.Trim('"'));

    private static DateTimeOffset? HttpDate(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when) ? when : null;

    /// <summary>
    /// One byte range (RFC 9110 14.1.2): "a-b", "a-" or "-n". Several ranges or a malformed one: the whole
    /// object, as S3 does; a range starting past the end: InvalidRange.
    /// </summary>
    internal static (long Start, long Length)? ParseRange(string? header, long size)
    {
        if (header is null || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return null;
        }

        string spec = header[6..].Trim();
        int dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return null;
        }

        string first = spec[..dash], last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out long suffix))
            {
                return null;
            }

            if (suffix == 0 || size == 0)
            {
                throw S3Errors.InvalidRange(size);
            }

            long length = Math.Min(suffix, size);
            return (size - length, length);
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out long start))
        {
            return null;
        }

        long end = size - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return null;
            }
        }

        if (start >= size)
        {
            throw S3Errors.InvalidRange(size);
        }

        end = Math.Min(end, size - 1);
        return (start, end - start + 1);
    }

    private async Task DeleteObjectAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        (string versionId, bool marker) = DeleteOne(r.Bucket, r.Key, r.Query("versionId"));
        if (versionId.Length > 0)
        {
            r.Response.Headers["x-amz-version-id"] = versionId;
        }

        if (marker)
        {
            r.Response.Headers["x-amz-delete-marker"] = "true";
        }

        r.Response.StatusCode = 204;
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// Without a version: adds a delete marker (a tombstone) unless the newest version is one already. With a
    /// version: hides it from S3 (versions are immutable and stay in the catalog until a retention rule removes
    /// them, DESIGN.md invariant 3) and, unless <paramref name="deferFix"/>, makes the newest version still
    /// shown current again (see <see cref="FixLatest"/>). Returns the version id to report and whether it is a
    /// delete marker.
    /// </summary>
    private (string VersionId, bool Marker) DeleteOne(string bucket, string key, string? versionId, bool deferFix = false)
    {
        string path = ObjectPaths.Object(bucket, key);
        return _volume.Catalog(c =>
        {
            // The bucket stays when its last object goes (it is implied by its files until then).
            c.AddDirectory(ObjectPaths.Bucket(bucket), DateTimeOffset.UtcNow);
            if (versionId is null)
            {
                IReadOnlyList<CatalogVersion> versions = c.GetVersions(path);
                if (versions.Count > 0 && versions[^1].IsTombstone && !c.GetHiddenVersions(path).Contains(versions[^1].Id))
                {
                    return (VersionId(versions[^1].Id), true);
                }

                return (VersionId(c.AddTombstone(path, DateTimeOffset.UtcNow)), true);
            }

            long id = ParseVersionId(versionId, key);
            CatalogVersion? target = c.GetVersion(id);
            if (target is null || target.Path != path)
            {
                // S3 answers 204 for a version that is not there.
                return (versionId, false);
            }

            c.HideVersion(id);
            if (!deferFix)
            {
                FixLatest(c, path);
            }

            return (versionId, target.IsTombstone);
        });
    }

    /// <summary>
    /// After versions were hidden: when the catalog's newest version of <paramref name="path"/> is hidden, the
    /// newest version still shown becomes current again as a new version with the same object and metadata
    /// (and the old entry is hidden, so S3 lists it once); with none left, a hidden delete marker keeps the
    /// file deleted on the mount.
    /// </summary>
    private static void FixLatest(VolumeCatalog c, string path)
    {
        IReadOnlyList<CatalogVersion> versions = c.GetVersions(path);
        IReadOnlySet<long> hidden = c.GetHiddenVersions(path);
        if (versions.Count == 0 || !hidden.Contains(versions[^1].Id))
        {
            return;
        }

        CatalogVersion? shown = versions.LastOrDefault(v => !hidden.Contains(v.Id));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        if (shown is null)
        {
            if (!versions[^1].IsTombstone)
            {
                c.HideVersion(c.AddTombstone(path, now));
            }

            return;
        }

        if (shown.IsTombstone)
        {
            c.AddTombstone(path, now);
        }
        else if (c.GetObjectMetadata(shown.Id) is ObjectMetadata metadata)
        {
            c.AddVersion(path, shown.Size, shown.Manifest!, shown.WrappedKey!, now, metadata, shown.PackOffset);
        }
        else
        {
            c.AddCopy(path, shown, now);
        }

        c.HideVersion(shown.Id);
    }

    private async Task DeleteObjectsAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        using var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity);
        var document = S3Xml.Parse(await body.ReadSmallAsync(2 << 20, r.Aborted).ConfigureAwait(false));
        bool quiet = string.Equals(document.ChildValue("Quiet"), "true", StringComparison.OrdinalIgnoreCase);
        var objects = document.Children("Object").Select(o => (Key: o.ChildValue("Key") ?? "", Version: o.ChildValue("VersionId"))).ToList();
        if (objects.Count > 1000)
        {
            throw S3Errors.MalformedXml();
        }

        var results = new List<(string Key, string? Version, string? ResultVersion, bool Marker, S3Exception? Error)>();
        foreach ((string key, string? version) in objects)
        {
            try
            {
                (string resultVersion, bool marker) = DeleteOne(r.Bucket, key, version, deferFix: true);
                results.Add((key, version, resultVersion, marker, null));
            }
            catch (S3Exception e)
            {
                results.Add((key, version, null, false, e));
            }
        }

        // Versions deleted together are hidden together before any is made current again: deleting every
        // version of a key (a conformance suite's clean-up) leaves it deleted, not restored from one of them.
        foreach (string key in results.Where(x => x.Error is null && x.Version is not null).Select(x => x.Key).Distinct(StringComparer.Ordinal))
        {
            string path = ObjectPaths.Object(r.Bucket, key);
            _volume.Catalog(c =>
            {
                FixLatest(c, path);
                return 0;
            });
        }

        await S3Xml.WriteAsync(
            r.Response,
            200,
            "DeleteResult",
            w =>
            {
                foreach ((string key, string? version, string? resultVersion, bool marker, S3Exception? error) in results)
                {
                    if (error is not null)
                    {
                        w.WriteStartElement("Error");
                        w.Element("Key", key);
                        w.Element("VersionId", version);
                        w.Element("Code", error.Code);
                        w.Element("Message", error.Message);
                        w.WriteEndElement();
                    }
                    else if (!quiet)
                    {
                        w.WriteStartElement("Deleted");
                        w.Element("Key", key);
                        w.Element("VersionId", version);
                        if (marker)
                        {
                            w.Element("DeleteMarker", true);
                            w.Element("DeleteMarkerVersionId", resultVersion);
                        }

                        w.WriteEndElement();
                    }
                }
            },
            r.Aborted).ConfigureAwait(false);
    }

    /// <summary>
    /// CopyObject: the new version points at the source's stored object (its key is wrapped for the object,
    /// not the path, as a rename on the mount does), so a copy moves no data whatever its size.
    /// </summary>
    private async Task CopyObjectAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        string path = ObjectPaths.Object(r.Bucket, r.Key);
        (string sourceBucket, string sourceKey, string? sourceVersion) = ParseCopySource(r.Header("x-amz-copy-source")!);
        RequireBucket(sourceBucket);
        CatalogVersion source = LatestOrThrow(sourceBucket, sourceKey, sourceVersion);
        ObjectMetadata sourceMetadata = MetadataOf(source);
        if (CopyPreconditionFails(r, sourceMetadata.ETag, source.Created))
        {
            throw S3Errors.PreconditionFailed("x-amz-copy-source-If-Match");
        }

        bool replace = string.Equals(r.Header("x-amz-metadata-directive"), "REPLACE", StringComparison.OrdinalIgnoreCase);
        string sourcePath = ObjectPaths.Object(sourceBucket, sourceKey);
        if (sourcePath == path && sourceVersion is null && !replace)
        {
            throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        RefuseConflicts(path, r.Key);
        using (var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity))
        {
            await body.ReadSmallAsync(0, r.Aborted).ConfigureAwait(false);
        }

        ObjectMetadata metadata = replace ? MetadataFromRequest(r, sourceMetadata.ETag) : sourceMetadata;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        long id = _volume.Catalog(c => c.AddVersion(path, source.Size, source.Manifest!, source.WrappedKey!, now, metadata, source.PackOffset));
        r.Response.Headers["x-amz-version-id"] = VersionId(id);
        r.Response.Headers["x-amz-copy-source-version-id"] = VersionId(source.Id);
        await S3Xml.WriteAsync(
            r.Response,
            200,
            "CopyObjectResult",
            w =>
            {
                w.Element("LastModified", now);
                w.Element("ETag", metadata.ETag);
            },
            r.Aborted).ConfigureAwait(false);
    }

    private static bool CopyPreconditionFails(S3Request r, string etag, DateTimeOffset modified)
    {
        DateTimeOffset seconds = DateTimeOffset.FromUnixTimeSeconds(modified.ToUnixTimeSeconds());
        return (r.Header("x-amz-copy-source-if-match") is string m && !ETagMatches(m, etag))
            || (r.Header("x-amz-copy-source-if-none-match") is string n && ETagMatches(n, etag))
            || (HttpDate(r.Header("x-amz-copy-source-if-unmodified-since")) is DateTimeOffset u && seconds > u)
            || (HttpDate(r.Header("x-amz-copy-source-if-modified-since")) is DateTimeOffset s && seconds <= s);
    }

    /// <summary>x-amz-copy-source: "[/]bucket/key[?versionId=ID]", URL-encoded.</summary>
    private static (string Bucket, string Key, string? VersionId) ParseCopySource(string header)
    {
        string value = header;
        string? versionId = null;
        int question = value.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            const string prefix = "versionId=";
            string query = value[(question + 1)..];
            versionId = query.StartsWith(prefix, StringComparison.Ordinal) ? Auth.SigV4.PercentDecode(query[prefix.Length..]) : null;
            value = value[..question];
        }

        value = Auth.SigV4.PercentDecode(value).TrimStart('/');
        int slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            throw S3Errors.InvalidArgument("x-amz-copy-source must be bucket/key.");
        }

        return (value[..slash], value[(slash + 1)..], versionId);
    }

    /// <summary>The version a GET/HEAD/copy reads: the given one, else the newest; NoSuchKey when deleted or absent.</summary>
    private CatalogVersion LatestOrThrow(string bucket, string key, string? versionId)
    {
        string path = ObjectPaths.Object(bucket, key);
        if (versionId is not null)
        {
            long id = ParseVersionId(versionId, key);
            CatalogVersion? version = _volume.Catalog(c => c.GetVersion(id) is { } v && !c.GetHiddenVersions(v.Path).Contains(id) ? v : null);
            if (version is null || version.Path != path)
            {
                throw S3Errors.NoSuchVersion(key, versionId);
            }

            if (version.IsTombstone)
            {
                throw new S3Exception("MethodNotAllowed", 405, "The specified method is not allowed against a delete marker.");
            }

            return version;
        }

        return _volume.Catalog(c => c.GetLatest(path)) ?? throw S3Errors.NoSuchKey(key);
    }

    private static long ParseVersionId(string versionId, string key) =>
        long.TryParse(versionId, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0
            ? id
            : throw S3Errors.InvalidArgument($"Invalid version id '{versionId}' for key '{key}'.");

    /// <summary>A version id is the catalog's version number, as a string.</summary>
    internal static string VersionId(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The S3 metadata of a version; one written by the mount or ugloo put gets a stable ETag derived from its manifest.</summary>
    private ObjectMetadata MetadataOf(CatalogVersion version) =>
        _volume.Catalog(c => c.GetObjectMetadata(version.Id)) ?? new ObjectMetadata(ManifestETag(version), null, [], []);

    /// <summary>
    /// MD5 of the manifest with a "-1" suffix: a multipart-style ETag, which clients (rclone, aws s3 sync) know
    /// is not the MD5 of the content, so they do not check downloads against it. Small files packed into one
    /// object share its manifest, so a packed version's range is hashed with it.
    /// </summary>
    private static string ManifestETag(CatalogVersion version)
    {
        byte[] manifest = version.Manifest ?? [];
        if (version.PackOffset is long offset)
        {
            byte[] range = new byte[manifest.Length + 16];
            manifest.CopyTo(range, 0);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(range.AsSpan(manifest.Length), offset);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(range.AsSpan(manifest.Length + 8), version.Size);
            manifest = range;
        }

        return "\"" + Md5Hex(manifest) + "-1\"";
    }

    private static string EmptyETag => "\"d41d8cd98f00b204e9800998ecf8427e\"";

    private static ObjectMetadata MetadataFromRequest(S3Request r, string etag)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (string name in s_storedHeaders)
        {
            if (r.Header(name) is not string value)
            {
                continue;
            }

            if (name == "content-encoding")
            {
                // aws-chunked is the upload's framing, not the object's encoding.
                value = string.Join(',', value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(v => !v.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase)));
                if (value.Length == 0)
                {
                    continue;
                }
            }

            headers.Add(new(name, value));
        }

        var user = r.Signed.Headers
            .Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.Ordinal))
            .Select(h => new KeyValuePair<string, string>(h.Key["x-amz-meta-".Length..], h.Value))
            .OrderBy(h => h.Key, StringComparer.Ordinal)
            .ToList();
        if (user.Sum(u => u.Key.Length + u.Value.Length) > 2048)
        {
            throw new S3Exception("MetadataTooLarge", 400, "Your metadata headers exceed the maximum allowed metadata size (2 KB).");
        }

        return new ObjectMetadata(etag, r.Header("content-type"), headers, user);
    }
}
