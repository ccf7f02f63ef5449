using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Ugloo.Mount.S3.Auth;
using Ugloo.Mount.S3.Multipart;

namespace Ugloo.Mount.S3;

/// <summary>
/// Serves every S3 request: authenticates it (SigV4), routes it by method, bucket, key and sub-resource to
/// an operation, and turns an <see cref="S3Exception"/> into S3's XML error document. Operations live in
/// partial files by concern (buckets, objects, listings, multipart uploads).
/// </summary>
internal sealed partial class S3Handler
{
    private readonly S3Volume _volume;
    private readonly RequestAuthenticator _authenticator;
    private readonly S3GatewayOptions _options;
    private readonly MultipartStore _uploads;
    private readonly ILogger _logger;
    private long _requests;

    public S3Handler(S3Volume volume, RequestAuthenticator authenticator, S3GatewayOptions options, MultipartStore uploads, ILogger logger)
    {
        _volume = volume;
        _authenticator = authenticator;
        _options = options;
        _uploads = uploads;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext http)
    {
        string requestId = Interlocked.Increment(ref _requests).ToString("X16", CultureInfo.InvariantCulture);
        http.Response.Headers["x-amz-request-id"] = requestId;
        http.Response.Headers.Server = "Ugloo";
        SignedRequest? signed = null;
        try
        {
            signed = Describe(http);
            bool anonymous = RequestAuthenticator.IsAnonymous(signed);
            RequestIdentity identity = anonymous ? RequestIdentity.Anonymous : _authenticator.Authenticate(signed);
            (string bucket, string key) = Route(signed, http.Request.Host.Host);
            var request = new S3Request { Http = http, Signed = signed, Identity = identity, Bucket = bucket, Key = key };
            if (anonymous)
            {
                AdmitAnonymous(request);
            }

            await DispatchAsync(request).ConfigureAwait(false);
        }
        catch (S3Exception e)
        {
            Log.S3RequestRefused(_logger, signed?.Method ?? http.Request.Method, e.Code, e.Message);
            await WriteErrorAsync(http, e, requestId).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(http, S3Errors.IncompleteBody(), requestId).ConfigureAwait(false);
            Log.S3RequestRefused(_logger, http.Request.Method, "IncompleteBody", e.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing was recorded.
        }
        catch (IOException e) when (http.RequestAborted.IsCancellationRequested || e.InnerException is BadHttpRequestException)
        {
            Log.S3RequestRefused(_logger, http.Request.Method, "IncompleteBody", e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.S3RequestFailed(_logger, e, http.Request.Method, http.Request.Path);
            await WriteErrorAsync(http, new S3Exception(), requestId).ConfigureAwait(false);
        }
    }

    private Task DispatchAsync(S3Request r)
    {
        if (r.Bucket.Length == 0)
        {
            return r.Method == "GET" ? ListBucketsAsync(r) : throw S3Errors.MethodNotAllowed();
        }

        if (!ObjectPaths.IsBucketSegment(r.Bucket))
        {
            throw S3Errors.InvalidBucketName(r.Bucket);
        }

        return r.Key.Length == 0 ? DispatchBucketAsync(r) : DispatchObjectAsync(r);
    }

    private Task DispatchBucketAsync(S3Request r) => r.Method switch
    {
        "GET" when r.Has("location") => GetBucketLocationAsync(r),
        "GET" when r.Has("versioning") => GetBucketVersioningAsync(r),
        "GET" when r.Has("versions") => ListObjectVersionsAsync(r),
        "GET" when r.Has("uploads") => ListMultipartUploadsAsync(r),
        "GET" when r.Has("acl") => GetAclAsync(r, isBucket: true),
        "GET" when r.Query("list-type") == "2" => ListObjectsAsync(r, v2: true),
        "GET" when IsSubresource(r) => throw S3Errors.NotImplemented("This bucket sub-resource"),
        "GET" => ListObjectsAsync(r, v2: false),
        "HEAD" => HeadBucketAsync(r),
        "PUT" when r.Has("versioning") => PutBucketVersioningAsync(r),
        "PUT" when r.Has("acl") => PutBucketAclAsync(r),
        "PUT" when IsSubresource(r) => throw S3Errors.NotImplemented("This bucket sub-resource"),
        "PUT" => CreateBucketAsync(r),
        "DELETE" when IsSubresource(r) => throw S3Errors.NotImplemented("This bucket sub-resource"),
        "DELETE" => DeleteBucketAsync(r),
        "POST" when r.Has("delete") => DeleteObjectsAsync(r),
        _ => throw S3Errors.MethodNotAllowed(),
    };

    private Task DispatchObjectAsync(S3Request r) => r.Method switch
    {
        "GET" when r.Has("uploadId") => ListPartsAsync(r),
        "GET" when r.Has("acl") => GetAclAsync(r, isBucket: false),
        "GET" when IsSubresource(r) => throw S3Errors.NotImplemented("This object sub-resource"),
        "GET" => GetObjectAsync(r, head: false),
        "HEAD" => GetObjectAsync(r, head: true),
        "PUT" when r.Has("uploadId") && r.Has("partNumber") => UploadPartAsync(r),
        "PUT" when IsSubresource(r) => throw S3Errors.NotImplemented("This object sub-resource"),
        "PUT" when r.Header("x-amz-copy-source") is not null => CopyObjectAsync(r),
        "PUT" => PutObjectAsync(r),
        "POST" when r.Has("uploads") => CreateMultipartUploadAsync(r),
        "POST" when r.Has("uploadId") => CompleteMultipartUploadAsync(r),
        "DELETE" when r.Has("uploadId") => AbortMultipartUploadAsync(r),
        "DELETE" => DeleteObjectAsync(r),
        _ => throw S3Errors.MethodNotAllowed(),
    };

    /// <summary>A sub-resource query the gateway does not serve (acl on PUT, tagging, policy, cors, lifecycle, …).</summary>
    private static bool IsSubresource(S3Request r) =>
        r.Signed.Query.Any(p => p.Value.Length == 0 && p.Key is "acl" or "tagging" or "policy" or "cors" or "lifecycle" or "encryption" or "website"
            or "logging" or "notification" or "replication" or "object-lock" or "retention" or "legal-hold" or "torrent" or "restore" or "select"
            or "ownershipControls" or "publicAccessBlock" or "accelerate" or "requestPayment" or "analytics" or "inventory" or "metrics" or "intelligent-tiering");

    private static SignedRequest Describe(HttpContext http)
    {
        string target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (http.Request.PathBase + http.Request.Path + http.Request.QueryString);
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Absolute form (RFC 9112 3.2.2): the path starts after the authority.
            int slash = target.IndexOf('/', target.IndexOf("//", StringComparison.Ordinal) + 2);
            target = slash < 0 ? "/" : target[slash..];
        }

        int question = target.IndexOf('?', StringComparison.Ordinal);
        string path = question < 0 ? target : target[..question];
        string query = question < 0 ? "" : target[(question + 1)..];
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, Microsoft.Extensions.Primitives.StringValues values) in http.Request.Headers)
        {
            headers[name.ToLowerInvariant()] = string.Join(',', values.ToArray());
        }

        return new SignedRequest(http.Request.Method, path, query, headers);
    }

    /// <summary>Bucket and key from the path (path style) or from the Host (virtual-host style under the configured domain).</summary>
    private (string Bucket, string Key) Route(SignedRequest request, string host)
    {
        string path = SigV4.PercentDecode(request.RawPath);
        if (_options.VirtualHostDomain is string domain && host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
        {
            return (host[..^(domain.Length + 1)], path.StartsWith('/') ? path[1..] : path);
        }

        string rest = path.StartsWith('/') ? path[1..] : path;
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
    }

    private static async Task WriteErrorAsync(HttpContext http, S3Exception error, string requestId)
    {
        if (http.Response.HasStarted)
        {
            // Headers are out (a read failed mid-body): only cutting the connection tells the client.
            http.Abort();
            return;
        }

        http.Response.Clear();
        http.Response.Headers["x-amz-request-id"] = requestId;
        if (http.Request.Method == "HEAD")
        {
            http.Response.StatusCode = error.Status;
            return;
        }

        await S3Xml.WriteAsync(
            http.Response,
            error.Status,
            "Error",
            w =>
            {
                w.Element("Code", error.Code);
                w.Element("Message", error.Message);
                foreach ((string name, string value) in error.Details)
                {
                    w.Element(name, value);
                }

                w.Element("Resource", http.Request.Path.Value);
                w.Element("RequestId", requestId);
            },
            CancellationToken.None).ConfigureAwait(false);
    }
}
