using Ugloo.Engine.Catalog;

namespace Ugloo.Mount.S3;

/// <summary>Bucket operations: a bucket is a top-level directory of the volume.</summary>
internal sealed partial class S3Handler
{
    private static readonly DateTimeOffset s_epoch = DateTimeOffset.UnixEpoch;

    /// <summary>When the bucket exists (a top-level directory, explicit or implied by files), when it was made; else null.</summary>
    private DateTimeOffset? FindBucket(string bucket)
    {
        string path = ObjectPaths.Bucket(bucket);
        return _volume.Catalog(c => c.GetLatest(path) is null ? c.GetDirectory(path) : null);
    }

    private void RequireBucket(string bucket)
    {
        if (FindBucket(bucket) is null)
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
    }

    private Task ListBucketsAsync(S3Request r)
    {
        IReadOnlyList<CatalogEntry> buckets = _volume.Catalog(c => c.List("/")).Where(e => e.IsDirectory).ToList();
        return S3Xml.WriteAsync(
            r.Response,
            200,
            "ListAllMyBucketsResult",
            w =>
            {
                WriteOwner(w, "Owner");
                w.WriteStartElement("Buckets");
                foreach (CatalogEntry bucket in buckets)
                {
                    w.WriteStartElement("Bucket");
                    w.Element("Name", bucket.Name);
                    w.Element("CreationDate", bucket.Modified == s_epoch ? s_epoch : bucket.Modified);
                    w.WriteEndElement();
                }

                w.WriteEndElement();
            },
            r.Aborted);
    }

    private async Task CreateBucketAsync(S3Request r)
    {
        if (!ObjectPaths.IsValidNewBucketName(r.Bucket))
        {
            throw S3Errors.InvalidBucketName(r.Bucket);
        }

        // The body may carry a CreateBucketConfiguration (a LocationConstraint): any region is this volume.
        using (var body = Body.RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity))
        {
            byte[] xml = await body.ReadSmallAsync(64 * 1024, r.Aborted).ConfigureAwait(false);
            if (xml.Length > 0)
            {
                S3Xml.Parse(xml);
            }
        }

        // Checked before anything is made, so a refused ACL creates no bucket.
        bool isPublic = r.Header("x-amz-acl") is string canned && CannedAclIsPublic(canned);
        string path = ObjectPaths.Bucket(r.Bucket);
        bool created = _volume.Catalog(c =>
        {
            if (c.GetLatest(path) is not null)
            {
                throw new S3Exception("BucketAlreadyExists", 409, "A file of that name is at the top of the volume.").With("BucketName", r.Bucket);
            }

            if (c.GetDirectory(path) is not null)
            {
                return false;
            }

            c.AddDirectory(path, DateTimeOffset.UtcNow);
            c.SetPublicBucket(r.Bucket, isPublic);
            return true;
        });
        if (!created)
        {
            throw S3Errors.BucketAlreadyOwnedByYou(r.Bucket);
        }

        r.Response.Headers.Location = "/" + r.Bucket;
        r.Response.StatusCode = 200;
    }

    private Task DeleteBucketAsync(S3Request r)
    {
        string path = ObjectPaths.Bucket(r.Bucket);
        _volume.Catalog(c =>
        {
            if (c.GetLatest(path) is not null || c.GetDirectory(path) is null)
            {
                throw S3Errors.NoSuchBucket(r.Bucket);
            }

            // Not empty: a live file below it, or a directory made on the mount (or by a folder marker).
            if (c.ListLatest(path + "/", "", 1).Count > 0 || c.ListExplicitDirectories(path + "/").Count > 0)
            {
                throw S3Errors.BucketNotEmpty(r.Bucket);
            }

            if (_uploads.HasUploads(r.Bucket))
            {
                throw S3Errors.BucketNotEmpty(r.Bucket);
            }

            c.RemoveDirectory(path);

            // A bucket made again under the same name starts private.
            c.SetPublicBucket(r.Bucket, isPublic: false);
            return 0;
        });
        r.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    private Task HeadBucketAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        r.Response.Headers["x-amz-bucket-region"] = _options.Region;
        r.Response.StatusCode = 200;
        return Task.CompletedTask;
    }

    private Task GetBucketLocationAsync(S3Request r)
    {
        RequireBucket(r.Bucket);

        // us-east-1 is reported as an empty LocationConstraint (S3 API Reference, GetBucketLocation).
        return S3Xml.WriteAsync(r.Response, 200, "LocationConstraint", w => w.WriteString(_options.Region == "us-east-1" ? "" : _options.Region), r.Aborted);
    }

    private Task GetBucketVersioningAsync(S3Request r)
    {
        RequireBucket(r.Bucket);

        // Always Enabled: every write makes a new immutable version (DESIGN.md invariant 3).
        return S3Xml.WriteAsync(r.Response, 200, "VersioningConfiguration", w => w.Element("Status", "Enabled"), r.Aborted);
    }

    private async Task PutBucketVersioningAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        using var body = Body.RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity);
        string? status = S3Xml.Parse(await body.ReadSmallAsync(64 * 1024, r.Aborted).ConfigureAwait(false)).ChildValue("Status");
        if (status is not null and not "Enabled")
        {
            throw S3Errors.InvalidArgument("Versioning cannot be suspended on an Ugloo volume: every version is kept (versions are immutable).");
        }

        r.Response.StatusCode = 200;
    }

    /// <summary>The owner has full control; everyone may read a public bucket's objects and listings.</summary>
    private Task GetAclAsync(S3Request r, bool isBucket)
    {
        RequireBucket(r.Bucket);
        if (!isBucket)
        {
            _ = LatestOrThrow(r.Bucket, r.Key, r.Query("versionId"));
        }

        bool isPublic = _volume.Catalog(c => c.IsPublicBucket(r.Bucket));

        return S3Xml.WriteAsync(
            r.Response,
            200,
            "AccessControlPolicy",
            w =>
            {
                WriteOwner(w, "Owner");
                w.WriteStartElement("AccessControlList");
                w.WriteStartElement("Grant");
                w.WriteStartElement("Grantee");
                w.WriteAttributeString("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
                w.WriteAttributeString("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser");
                w.Element("ID", "ugloo");
                w.Element("DisplayName", "ugloo");
                w.WriteEndElement();
                w.Element("Permission", "FULL_CONTROL");
                w.WriteEndElement();
                if (isPublic)
                {
                    WritePublicReadGrant(w);
                }

                w.WriteEndElement();
            },
            r.Aborted);
    }

    private static void WriteOwner(System.Xml.XmlWriter w, string element)
    {
        w.WriteStartElement(element);
        w.Element("ID", "ugloo");
        w.Element("DisplayName", "ugloo");
        w.WriteEndElement();
    }
}
