using System.Globalization;
using System.Security.Cryptography;
using System.Xml.Linq;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Mount.S3.Body;
using Ugloo.Mount.S3.Multipart;

namespace Ugloo.Mount.S3;

/// <summary>Multipart uploads: parts staged on local disk, assembled into one object (one version) on complete.</summary>
internal sealed partial class S3Handler
{
    private const int MaxPartNumber = 10_000;

    /// <summary>Uploads created by this gateway process whose parts are stored in the swarm as they arrive.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StreamingUpload> _streaming = new(StringComparer.Ordinal);

    private async Task CreateMultipartUploadAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        string path = ObjectPaths.Object(r.Bucket, r.Key);
        RefuseConflicts(path, r.Key);
        using (var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity))
        {
            await body.ReadSmallAsync(0, r.Aborted).ConfigureAwait(false);
        }

        string uploadId = _uploads.Create(r.Bucket, r.Key, MetadataFromRequest(r, ""));
        _streaming[uploadId] = new StreamingUpload(_volume.WriteAsync);
        await S3Xml.WriteAsync(
            r.Response,
            200,
            "InitiateMultipartUploadResult",
            w =>
            {
                w.Element("Bucket", r.Bucket);
                w.Element("Key", r.Key);
                w.Element("UploadId", uploadId);
            },
            r.Aborted).ConfigureAwait(false);
    }

    private UploadInfo FindUpload(S3Request r)
    {
        string uploadId = r.Query("uploadId") ?? "";
        UploadInfo? upload = _uploads.Find(uploadId);
        if (upload is null || upload.Bucket != r.Bucket || upload.Key != r.Key)
        {
            throw S3Errors.NoSuchUpload(uploadId);
        }

        return upload;
    }

    private async Task UploadPartAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        UploadInfo upload = FindUpload(r);
        if (!int.TryParse(r.Query("partNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > MaxPartNumber)
        {
            throw S3Errors.InvalidArgument($"Part number must be an integer between 1 and {MaxPartNumber}, inclusive.");
        }

        bool copy = r.Header("x-amz-copy-source") is not null;
        FileStream file = _uploads.CreatePartFile(upload.Id, out string temporary);
        try
        {
            byte[] md5;
            DateTimeOffset? sourceModified = null;
            await using (file.ConfigureAwait(false))
            {
                if (copy)
                {
                    (md5, sourceModified) = await CopyPartAsync(r, file).ConfigureAwait(false);
                }
                else
                {
                    using var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity);
                    if (body.DeclaredLength > _options.MaxPutSize)
                    {
                        throw S3Errors.EntityTooLarge();
                    }

                    await body.Stream.CopyToAsync(file, 1 << 20, r.Aborted).ConfigureAwait(false);
                    body.Verify();
                    md5 = body.Stream.Md5();
                }

                await file.FlushAsync(r.Aborted).ConfigureAwait(false);
            }

            PartInfo committed = _uploads.CommitPart(upload.Id, number, temporary, md5);
            if (_streaming.TryGetValue(upload.Id, out StreamingUpload? streaming))
            {
                streaming.Committed(committed);
            }

            string etag = "\"" + Convert.ToHexStringLower(md5) + "\"";
            if (!copy)
            {
                r.Response.Headers.ETag = etag;
                r.Response.StatusCode = 200;
                return;
            }

            await S3Xml.WriteAsync(
                r.Response,
                200,
                "CopyPartResult",
                w =>
                {
                    w.Element("LastModified", DateTimeOffset.UtcNow);
                    w.Element("ETag", etag);
                },
                r.Aborted).ConfigureAwait(false);
            _ = sourceModified;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                MultipartStore.DeleteTemporary(temporary);
            }
        }
    }

    /// <summary>UploadPartCopy: bytes of an existing object (x-amz-copy-source-range, else all of it) become the part.</summary>
    private async Task<(byte[] Md5, DateTimeOffset Modified)> CopyPartAsync(S3Request r, FileStream file)
    {
        (string bucket, string key, string? versionId) = ParseCopySource(r.Header("x-amz-copy-source")!);
        RequireBucket(bucket);
        CatalogVersion source = LatestOrThrow(bucket, key, versionId);
        ObjectMetadata metadata = MetadataOf(source);
        if (CopyPreconditionFails(r, metadata.ETag, source.Created))
        {
            throw S3Errors.PreconditionFailed("x-amz-copy-source-If-Match");
        }

        long offset = 0, count = source.Size;
        if (r.Header("x-amz-copy-source-range") is string rangeHeader)
        {
            (long Start, long Length)? range = ParseRange(rangeHeader, source.Size) ?? throw S3Errors.InvalidArgument("x-amz-copy-source-range must be bytes=first-last.");
            (offset, count) = range.Value;
        }

        using (var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity))
        {
            await body.ReadSmallAsync(0, r.Aborted).ConfigureAwait(false);
        }

        using var hashing = new Md5WriteStream(file);
        if (count > 0)
        {
            await _volume.ReadAsync(source, offset, count, hashing, r.Aborted).ConfigureAwait(false);
        }

        return (hashing.Md5(), source.Created);
    }

    private async Task CompleteMultipartUploadAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        UploadInfo upload = FindUpload(r);
        XElement document;
        using (var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity))
        {
            document = S3Xml.Parse(await body.ReadSmallAsync(4 << 20, r.Aborted).ConfigureAwait(false));
        }

        var requested = new List<(int Number, string ETag)>();
        foreach (XElement part in document.Children("Part"))
        {
            if (!int.TryParse(part.ChildValue("PartNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                throw S3Errors.MalformedXml();
            }

            requested.Add((number, part.ChildValue("ETag") ?? ""));
        }

        if (requested.Count == 0)
        {
            throw S3Errors.MalformedXml();
        }

        for (int i = 1; i < requested.Count; i++)
        {
            if (requested[i].Number <= requested[i - 1].Number)
            {
                throw S3Errors.InvalidPartOrder();
            }
        }

        Dictionary<int, PartInfo> staged = _uploads.ListParts(upload.Id).ToDictionary(p => p.Number);
        var parts = new List<PartInfo>(requested.Count);
        foreach ((int number, string etag) in requested)
        {
            if (!staged.TryGetValue(number, out PartInfo? part) || part.ETag.Trim('"') != etag.Trim().Trim('"'))
            {
                throw S3Errors.InvalidPart();
            }

            parts.Add(part);
        }

        for (int i = 0; i < parts.Count - 1; i++)
        {
            if (parts[i].Size < _options.MinPartSize)
            {
                throw S3Errors.EntityTooSmall()
                    .With("ProposedSize", parts[i].Size.ToString(CultureInfo.InvariantCulture))
                    .With("MinSizeAllowed", _options.MinPartSize.ToString(CultureInfo.InvariantCulture))
                    .With("PartNumber", parts[i].Number.ToString(CultureInfo.InvariantCulture))
                    .With("ETag", parts[i].ETag);
            }
        }

        string path = ObjectPaths.Object(r.Bucket, r.Key);
        RefuseConflicts(path, r.Key);

        // S3's multipart ETag: MD5 of the concatenated binary MD5s of the parts, then "-" and the part count.
        byte[] md5s = [.. parts.SelectMany(p => Convert.FromHexString(p.ETag.Trim('"')))];
        string multipartETag = $"\"{Md5Hex(md5s)}-{parts.Count}\"";
        // Usually the parts are already in the swarm (stored as they arrived); else stream them now.
        ObjectWriteResult? result = null;
        if (_streaming.TryRemove(upload.Id, out StreamingUpload? streaming))
        {
            using (streaming)
            {
                result = await streaming.FinishAsync(parts, r.Aborted).ConfigureAwait(false);
            }
        }

        if (result is null)
        {
            using var input = new PartsStream(parts);
            result = await _volume.WriteAsync(input, r.Aborted).ConfigureAwait(false);
        }

        ObjectMetadata metadata = upload.Metadata(multipartETag);
        long id = _volume.Catalog(c => c.AddVersion(path, result.Manifest.PlaintextSize, result.Manifest.Serialize(), result.WrappedKey.Serialize(), DateTimeOffset.UtcNow, metadata));
        _uploads.Remove(upload.Id);
        r.Response.Headers["x-amz-version-id"] = VersionId(id);
        await S3Xml.WriteAsync(
            r.Response,
            200,
            "CompleteMultipartUploadResult",
            w =>
            {
                w.Element("Location", $"/{r.Bucket}/{r.Key}");
                w.Element("Bucket", r.Bucket);
                w.Element("Key", r.Key);
                w.Element("ETag", multipartETag);
            },
            r.Aborted).ConfigureAwait(false);
    }

    /// <summary>MD5 is what S3 defines ETags with; it checks transfers here, it protects nothing.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "S3 ETags are MD5 by definition.")]
    private static string Md5Hex(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));

    private Task AbortMultipartUploadAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        UploadInfo upload = FindUpload(r);
        if (_streaming.TryRemove(upload.Id, out StreamingUpload? streaming))
        {
            streaming.Dispose();
        }

        _uploads.Remove(upload.Id);
        r.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task ListMultipartUploadsAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        string prefix = r.Query("prefix") ?? "";
        IReadOnlyList<UploadInfo> uploads = [.. _uploads.List(r.Bucket).Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal))];
        int max = ParseMaxKeys(r.Query("max-uploads"));
        return S3Xml.WriteAsync(
            r.Response,
            200,
            "ListMultipartUploadsResult",
            w =>
            {
                w.Element("Bucket", r.Bucket);
                w.Element("KeyMarker", "");
                w.Element("UploadIdMarker", "");
                w.Element("Prefix", prefix);
                w.Element("MaxUploads", max);
                w.Element("IsTruncated", uploads.Count > max);
                foreach (UploadInfo upload in uploads.Take(max))
                {
                    w.WriteStartElement("Upload");
                    w.Element("Key", upload.Key);
                    w.Element("UploadId", upload.Id);
                    WriteOwner(w, "Initiator");
                    WriteOwner(w, "Owner");
                    w.Element("StorageClass", "STANDARD");
                    w.Element("Initiated", upload.Initiated);
                    w.WriteEndElement();
                }
            },
            r.Aborted);
    }

    private Task ListPartsAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        UploadInfo upload = FindUpload(r);
        int marker = int.TryParse(r.Query("part-number-marker"), NumberStyles.None, CultureInfo.InvariantCulture, out int m) ? m : 0;
        int max = ParseMaxKeys(r.Query("max-parts"));
        List<PartInfo> parts = [.. _uploads.ListParts(upload.Id).Where(p => p.Number > marker)];
        bool truncated = parts.Count > max;
        parts = [.. parts.Take(max)];
        return S3Xml.WriteAsync(
            r.Response,
            200,
            "ListPartsResult",
            w =>
            {
                w.Element("Bucket", r.Bucket);
                w.Element("Key", r.Key);
                w.Element("UploadId", upload.Id);
                WriteOwner(w, "Initiator");
                WriteOwner(w, "Owner");
                w.Element("StorageClass", "STANDARD");
                w.Element("PartNumberMarker", marker);
                w.Element("NextPartNumberMarker", parts.Count > 0 ? parts[^1].Number : marker);
                w.Element("MaxParts", max);
                w.Element("IsTruncated", truncated);
                foreach (PartInfo part in parts)
                {
                    w.WriteStartElement("Part");
                    w.Element("PartNumber", part.Number);
                    w.Element("LastModified", part.Modified);
                    w.Element("ETag", part.ETag);
                    w.Element("Size", part.Size);
                    w.WriteEndElement();
                }
            },
            r.Aborted);
    }
}
