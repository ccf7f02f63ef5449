using System.Globalization;

namespace Ugloo.Mount.S3.Auth;

/// <summary>
/// Checks a request's AWS Signature Version 4, in the Authorization header or in the query string of a
/// presigned URL, against the gateway's access keys. Any region is accepted (the gateway has one volume,
/// wherever the client thinks it is); the service must be s3.
/// </summary>
internal sealed class RequestAuthenticator
{
    /// <summary>AWS refuses requests whose time is further than this from its clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(15);

    private const long MaxPresignedSeconds = 7 * 24 * 3600;

    private readonly Func<string, AccessKey?> _lookup;
    private readonly TimeProvider _time;

    public RequestAuthenticator(Func<string, AccessKey?> lookup, TimeProvider time)
    {
        _lookup = lookup;
        _time = time;
    }

    /// <summary>
    /// Whether the request carries no signature at all (no Authorization header, no presigned or Signature
    /// Version 2 query): such a request may only read a public bucket.
    /// </summary>
    public static bool IsAnonymous(SignedRequest request) =>
        request.Header("authorization") is null && !request.HasQuery("X-Amz-Signature") && !request.HasQuery("Signature") && !request.HasQuery("AWSAccessKeyId");

    /// <summary>Verifies the signature; returns what the body decoder needs to check chunk signatures.</summary>
    /// <exception cref="S3Exception">Anonymous, malformed, unknown key, expired or wrong signature.</exception>
    public RequestIdentity Authenticate(SignedRequest request)
    {
        string? authorization = request.Header("authorization");
        if (authorization is not null)
        {
            return FromHeader(request, authorization);
        }

        if (request.HasQuery("X-Amz-Signature"))
        {
            return FromQuery(request);
        }

        if (request.HasQuery("Signature") || request.HasQuery("AWSAccessKeyId"))
        {
            throw S3Errors.InvalidRequest("Signature Version 2 is not supported; sign with AWS Signature Version 4.");
        }

        throw S3Errors.AccessDenied("Anonymous access is refused: sign requests with an access key from 'ugloo s3 keys add'.");
    }

    private RequestIdentity FromHeader(SignedRequest request, string authorization)
    {
        if (!authorization.StartsWith(SigV4.Algorithm + " ", StringComparison.Ordinal))
        {
            throw authorization.StartsWith("AWS ", StringComparison.Ordinal)
                ? S3Errors.InvalidRequest("Signature Version 2 is not supported; sign with AWS Signature Version 4.")
                : S3Errors.AuthorizationMalformed($"Unsupported authorization type; only {SigV4.Algorithm} is accepted.");
        }

        string? credential = null, signedHeaders = null, signature = null;
        foreach (string part in authorization[(SigV4.Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw S3Errors.AuthorizationMalformed($"The authorization header is malformed near '{part}'.");
            }

            string value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential":
                    credential = value;
                    break;
                case "SignedHeaders":
                    signedHeaders = value;
                    break;
                case "Signature":
                    signature = value;
                    break;
            }
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            throw S3Errors.AuthorizationMalformed("The authorization header needs Credential, SignedHeaders and Signature.");
        }

        string amzDate = request.Header("x-amz-date") ?? FromHttpDate(request.Header("date"))
            ?? throw S3Errors.AccessDenied("The request has no X-Amz-Date or Date header.");
        DateTimeOffset when = ParseAmzDate(amzDate);
        if ((_time.GetUtcNow() - when).Duration() > MaxSkew)
        {
            throw S3Errors.RequestTimeTooSkewed();
        }

        string payloadHash = request.Header("x-amz-content-sha256")
            ?? throw S3Errors.InvalidRequest("Missing required header for this request: x-amz-content-sha256.");
        return Verify(request, credential, signedHeaders, signature, amzDate, payloadHash, presigned: false);
    }

    private RequestIdentity FromQuery(SignedRequest request)
    {
        string algorithm = request.QueryValue("X-Amz-Algorithm") ?? "";
        if (algorithm != SigV4.Algorithm)
        {
            throw S3Errors.AuthorizationMalformed($"X-Amz-Algorithm must be {SigV4.Algorithm}.");
        }

        string credential = request.QueryValue("X-Amz-Credential") ?? throw S3Errors.AuthorizationMalformed("X-Amz-Credential is missing.");
        string signedHeaders = request.QueryValue("X-Amz-SignedHeaders") ?? throw S3Errors.AuthorizationMalformed("X-Amz-SignedHeaders is missing.");
        string signature = request.QueryValue("X-Amz-Signature")!;
        string amzDate = request.QueryValue("X-Amz-Date") ?? throw S3Errors.AuthorizationMalformed("X-Amz-Date is missing.");
        if (!long.TryParse(request.QueryValue("X-Amz-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out long expires) || expires > MaxPresignedSeconds)
        {
            throw S3Errors.AuthorizationMalformed("X-Amz-Expires must be a number of seconds up to 604800 (7 days).");
        }

        DateTimeOffset when = ParseAmzDate(amzDate);
        DateTimeOffset now = _time.GetUtcNow();
        if (now < when - MaxSkew)
        {
            throw S3Errors.AccessDenied("Request is not valid yet.");
        }

        if (now > when.AddSeconds(expires))
        {
            throw S3Errors.AccessDenied("Request has expired");
        }

        return Verify(request, credential, signedHeaders, signature, amzDate, request.Header("x-amz-content-sha256") ?? SigV4.UnsignedPayload, presigned: true);
    }

    private RequestIdentity Verify(SignedRequest request, string credential, string signedHeaders, string signature, string amzDate, string payloadHash, bool presigned)
    {
        // Credential = ACCESSKEY/yyyyMMdd/region/s3/aws4_request
        string[] scopeParts = credential.Split('/');
        if (scopeParts.Length != 5 || scopeParts[4] != "aws4_request")
        {
            throw S3Errors.AuthorizationMalformed($"The credential '{credential}' is not ACCESSKEY/DATE/REGION/s3/aws4_request.");
        }

        string accessKeyId = scopeParts[0];
        if (scopeParts[1] != amzDate[..8])
        {
            throw S3Errors.AuthorizationMalformed($"The credential's date {scopeParts[1]} is not the request's date {amzDate[..8]}.");
        }

        if (scopeParts[3] != "s3")
        {
            throw S3Errors.AuthorizationMalformed($"The credential is for service '{scopeParts[3]}', not s3.");
        }

        AccessKey key = _lookup(accessKeyId) ?? throw S3Errors.InvalidAccessKeyId(accessKeyId);
        string scope = string.Join('/', scopeParts[1..]);
        string[] names = signedHeaders.Split(';');
        if (!names.Contains("host"))
        {
            throw S3Errors.AuthorizationMalformed("The host header must be signed.");
        }

        var headers = new List<KeyValuePair<string, string>>(names.Length);
        foreach (string name in names)
        {
            headers.Add(new(name, SigV4.CanonicalHeaderValue(request.Header(name) ?? "")));
        }

        IEnumerable<KeyValuePair<string, string>> query = presigned ? request.Query.Where(p => p.Key != "X-Amz-Signature") : request.Query;
        string canonicalUri = SigV4.UriEncode(SigV4.PercentDecode(request.RawPath), keepSlash: true);
        string canonical = SigV4.CanonicalRequest(request.Method, canonicalUri, SigV4.CanonicalQuery(query), headers, signedHeaders, payloadHash);
        byte[] signingKey = SigV4.SigningKey(key.SecretKey, scopeParts[1], scopeParts[2], scopeParts[3]);
        string expected = SigV4.HmacHex(signingKey, SigV4.StringToSign(amzDate, scope, canonical));
        if (!SigV4.SignatureEquals(expected, signature))
        {
            throw S3Errors.SignatureDoesNotMatch();
        }

        return new RequestIdentity(key, payloadHash, signingKey, amzDate, scope, signature);
    }

    private static DateTimeOffset ParseAmzDate(string amzDate) =>
        amzDate.Length == 16 && DateTimeOffset.TryParseExact(amzDate, SigV4.AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when)
            ? when
            : throw S3Errors.AccessDenied($"X-Amz-Date '{amzDate}' is not a date such as 20260101T120000Z.");

    private static string? FromHttpDate(string? date) =>
        date is not null && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when)
            ? when.UtcDateTime.ToString(SigV4.AmzDateFormat, CultureInfo.InvariantCulture)
            : null;
}

/// <summary>
/// A verified request: whose key signed it, the payload hash it declared (a hex SHA-256, UNSIGNED-PAYLOAD or
/// a STREAMING-… mode) and, for aws-chunked bodies, the signing key, date, scope and seed signature that chain
/// the chunk signatures.
/// </summary>
internal sealed record RequestIdentity(AccessKey Key, string PayloadHash, byte[] SigningKey, string AmzDate, string Scope, string SeedSignature)
{
    /// <summary>An unsigned request, admitted only to read a public bucket (it never reaches a body decoder).</summary>
    public static RequestIdentity Anonymous { get; } = new(new AccessKey("anonymous", "", "", DateTimeOffset.UnixEpoch), SigV4.UnsignedPayload, [], "", "", "");

    public bool IsAnonymous => Key.AccessKeyId.Length == 0;
}
