using System.Xml.Linq;
using Ugloo.Mount.S3.Body;

namespace Ugloo.Mount.S3;

/// <summary>
/// Public buckets: a bucket made public (<c>ugloo s3 public BUCKET on</c>, or PutBucketAcl with the canned
/// ACL public-read) lets unsigned requests read it: GetObject, HeadObject, HeadBucket, ListObjects (v1 and
/// v2) and GetBucketLocation. Everything else, every write included, stays signed.
/// </summary>
internal sealed partial class S3Handler
{
    /// <summary>The grantee URI S3 uses for "everyone" in an ACL.</summary>
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

    private const string AnonymousRefused = "Anonymous access is refused: sign requests with an access key from 'ugloo s3 keys add'";

    /// <summary>Query parameters an anonymous listing may carry (x-id is the operation name some SDKs add).</summary>
    private static readonly HashSet<string> s_publicListQuery = new(StringComparer.Ordinal)
    {
        "location", "list-type", "prefix", "delimiter", "marker", "max-keys", "continuation-token", "start-after", "fetch-owner", "encoding-type", "x-id",
    };

    /// <summary>
    /// Lets an unsigned request through only when it reads a public bucket; otherwise AccessDenied (also for a
    /// bucket that does not exist, so anonymous clients cannot probe for names). Reading older versions by
    /// <c>versionId</c> and the <c>response-*</c> overrides stay signed, as S3 keeps them.
    /// </summary>
    private void AdmitAnonymous(S3Request r)
    {
        if (!IsPublicRead(r))
        {
            throw S3Errors.AccessDenied(AnonymousRefused + (r.Bucket.Length > 0 ? " (a public bucket allows unsigned reads only)." : "."));
        }

        if (!_volume.Catalog(c => c.IsPublicBucket(r.Bucket)))
        {
            throw S3Errors.AccessDenied(AnonymousRefused + $"; bucket '{r.Bucket}' is not public ('ugloo s3 public {r.Bucket} on' makes it so).");
        }
    }

    private static bool IsPublicRead(S3Request r)
    {
        if (r.Bucket.Length == 0 || r.Method is not ("GET" or "HEAD"))
        {
            return false;
        }

        return r.Key.Length == 0
            ? r.Signed.Query.All(p => s_publicListQuery.Contains(p.Key))
            : r.Signed.Query.All(p => p.Key == "x-id");
    }

    /// <summary>
    /// PutBucketAcl: the canned ACLs <c>private</c> and <c>public-read</c> (x-amz-acl), or an
    /// AccessControlPolicy document whose only grant beyond the owner's is READ to AllUsers. Anything granting
    /// anonymous writes, or other grantees, is refused: writes are always signed.
    /// </summary>
    private async Task PutBucketAclAsync(S3Request r)
    {
        RequireBucket(r.Bucket);
        if (r.Signed.Headers.Keys.Any(h => h.StartsWith("x-amz-grant-", StringComparison.Ordinal)))
        {
            throw S3Errors.NotImplemented("Granting with x-amz-grant-* headers");
        }

        byte[] xml;
        using (var body = RequestBody.Open(r.Http.Request.Body, r.Signed, r.Identity))
        {
            xml = await body.ReadSmallAsync(64 * 1024, r.Aborted).ConfigureAwait(false);
        }

        bool isPublic = r.Header("x-amz-acl") is string canned
            ? CannedAclIsPublic(canned)
            : xml.Length > 0
                ? PolicyIsPublic(S3Xml.Parse(xml))
                : throw S3Errors.InvalidRequest("PutBucketAcl needs an x-amz-acl header (private or public-read) or an AccessControlPolicy body.");
        _volume.Catalog(c => c.SetPublicBucket(r.Bucket, isPublic));
        r.Response.StatusCode = 200;
    }

    /// <summary>Whether a canned ACL makes the bucket public; refuses the ones the gateway cannot honour.</summary>
    private static bool CannedAclIsPublic(string canned) => canned switch
    {
        "private" => false,
        "public-read" => true,
        "public-read-write" => throw S3Errors.InvalidArgument("Anonymous writes are not allowed on an Ugloo volume; use public-read."),
        _ => throw S3Errors.NotImplemented($"The canned ACL '{canned}'"),
    };

    private static bool PolicyIsPublic(XElement policy)
    {
        bool isPublic = false;
        foreach (XElement grant in policy.Children("AccessControlList").SelectMany(l => l.Children("Grant")))
        {
            XElement? grantee = grant.Children("Grantee").FirstOrDefault();
            string permission = grant.ChildValue("Permission") ?? "";
            string? uri = grantee?.ChildValue("URI");
            if (uri is null)
            {
                // The owner's own grant (a canonical user): the owner always has full control.
                continue;
            }

            if (uri != AllUsers)
            {
                throw S3Errors.NotImplemented($"Granting to {uri}");
            }

            isPublic = permission == "READ"
                ? true
                : throw S3Errors.InvalidArgument($"Only READ can be granted to everyone ({permission} was asked): writes are always signed.");
        }

        return isPublic;
    }

    /// <summary>The AllUsers READ grant a public bucket's ACL shows.</summary>
    private static void WritePublicReadGrant(System.Xml.XmlWriter w)
    {
        w.WriteStartElement("Grant");
        w.WriteStartElement("Grantee");
        w.WriteAttributeString("xmlns", "xsi", null, "http://www.w3.org/2001/XMLSchema-instance");
        w.WriteAttributeString("xsi", "type", "http://www.w3.org/2001/XMLSchema-instance", "Group");
        w.Element("URI", AllUsers);
        w.WriteEndElement();
        w.Element("Permission", "READ");
        w.WriteEndElement();
    }
}
