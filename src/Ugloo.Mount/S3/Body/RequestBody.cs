using System.Globalization;
using Ugloo.Mount.S3.Auth;

namespace Ugloo.Mount.S3.Body;

/// <summary>
/// A request body as the handler reads it: aws-chunked framing removed (signatures checked), and hashed on
/// the way. <see cref="Verify"/> is called once the body has been read to its end and before anything is
/// recorded: it checks Content-MD5, a hex x-amz-content-sha256 and every x-amz-checksum-* given in a header
/// or the trailer, so a corrupted or tampered body changes nothing.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private readonly AwsChunkedStream? _chunked;
    private readonly string? _contentMd5;
    private readonly string? _contentSha256;
    private readonly Dictionary<string, string> _checksumHeaders;
    private readonly long? _declaredLength;

    private RequestBody(HashingStream stream, AwsChunkedStream? chunked, string? contentMd5, string? contentSha256, Dictionary<string, string> checksumHeaders, long? declaredLength)
    {
        Stream = stream;
        _chunked = chunked;
        _contentMd5 = contentMd5;
        _contentSha256 = contentSha256;
        _checksumHeaders = checksumHeaders;
        _declaredLength = declaredLength;
    }

    public HashingStream Stream { get; }

    /// <summary>The body's decoded length when the request declares it (Content-Length or x-amz-decoded-content-length).</summary>
    public long? DeclaredLength => _declaredLength;

    public static RequestBody Open(Stream raw, SignedRequest request, RequestIdentity identity)
    {
        string? md5 = request.Header("content-md5");
        if (md5 is not null && (!TryBase64(md5, out byte[]? digest) || digest.Length != 16))
        {
            throw S3Errors.InvalidDigest();
        }

        var algorithms = new HashSet<string>(StringComparer.Ordinal);
        var checksumHeaders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string value) in request.Headers)
        {
            if (name.StartsWith("x-amz-checksum-", StringComparison.Ordinal) && name is not ("x-amz-checksum-mode" or "x-amz-checksum-type" or "x-amz-checksum-algorithm"))
            {
                string algorithm = name["x-amz-checksum-".Length..];
                if (!HashingStream.KnownAlgorithms.Contains(algorithm))
                {
                    throw S3Errors.InvalidRequest($"Unknown checksum header {name}.");
                }

                algorithms.Add(algorithm);
                checksumHeaders[algorithm] = value;
            }
        }

        string payload = identity.PayloadHash;
        bool chunked = AwsChunkedStream.IsChunkedMode(payload);
        if (chunked && request.Header("x-amz-trailer") is string trailer)
        {
            foreach (string name in trailer.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string lower = name.ToLowerInvariant();
                if (!lower.StartsWith("x-amz-checksum-", StringComparison.Ordinal) || !HashingStream.KnownAlgorithms.Contains(lower["x-amz-checksum-".Length..]))
                {
                    throw S3Errors.InvalidRequest($"Unsupported trailing header {name}.");
                }

                algorithms.Add(lower["x-amz-checksum-".Length..]);
            }
        }

        string? sha256 = null;
        if (!chunked && payload != SigV4.UnsignedPayload)
        {
            if (payload.Length != 64 || !payload.All(char.IsAsciiHexDigit))
            {
                throw S3Errors.InvalidArgument($"x-amz-content-sha256 '{payload}' is neither a SHA-256 hex digest, UNSIGNED-PAYLOAD nor a STREAMING mode.");
            }

            sha256 = payload.ToLowerInvariant();
            algorithms.Add("sha256");
        }

        long? declared = null;
        if (chunked)
        {
            if (request.Header("x-amz-decoded-content-length") is string decoded)
            {
                declared = long.TryParse(decoded, NumberStyles.None, CultureInfo.InvariantCulture, out long d) ? d : throw S3Errors.InvalidArgument("x-amz-decoded-content-length is not a number.");
            }
        }
        else if (request.Header("content-length") is string length && long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out long l))
        {
            declared = l;
        }

        AwsChunkedStream? decoder = chunked ? new AwsChunkedStream(raw, payload, identity, declared) : null;
        var hashing = new HashingStream(decoder ?? raw, algorithms);
        return new RequestBody(hashing, decoder, md5, sha256, checksumHeaders, declared);
    }

    /// <summary>Checks the digests the request declared against what was read; the body must have been read to its end.</summary>
    /// <exception cref="S3Exception">BadDigest, XAmzContentSHA256Mismatch or IncompleteBody.</exception>
    public void Verify()
    {
        if (_declaredLength is long declared && declared != Stream.Count)
        {
            throw S3Errors.IncompleteBody();
        }

        if (_contentMd5 is not null && Convert.ToBase64String(Stream.Md5()) != _contentMd5)
        {
            throw S3Errors.BadDigest();
        }

        if (_contentSha256 is not null && Convert.ToHexStringLower(Stream.Digest("sha256")) != _contentSha256)
        {
            throw S3Errors.ContentSha256Mismatch();
        }

        var expected = new Dictionary<string, string>(_checksumHeaders, StringComparer.Ordinal);
        if (_chunked is not null)
        {
            foreach ((string name, string value) in _chunked.Trailers)
            {
                if (name.StartsWith("x-amz-checksum-", StringComparison.Ordinal))
                {
                    expected[name["x-amz-checksum-".Length..]] = value;
                }
            }
        }

        foreach ((string algorithm, string value) in expected)
        {
            if (!HashingStream.KnownAlgorithms.Contains(algorithm))
            {
                continue;
            }

            if (Convert.ToBase64String(Stream.Digest(algorithm)) != value)
            {
                throw S3Errors.ChecksumMismatch("x-amz-checksum-" + algorithm);
            }
        }
    }

    /// <summary>MD5 hex of what was read, quoted: a single PUT's ETag.</summary>
    public string ETag() => "\"" + Convert.ToHexStringLower(Stream.Md5()) + "\"";

    /// <summary>Reads a small body (an XML document) whole, verified; refuses more than <paramref name="limit"/> bytes.</summary>
    public async Task<byte[]> ReadSmallAsync(int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = await Stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                throw S3Errors.InvalidRequest($"The request body is larger than {limit} bytes.");
            }

            buffer.Write(chunk, 0, n);
        }

        Verify();
        return buffer.ToArray();
    }

    public void Dispose()
    {
        Stream.Dispose();
        _chunked?.Dispose();
    }

    private static bool TryBase64(string value, out byte[] bytes)
    {
        bytes = new byte[(value.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(value, bytes, out int written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
