using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ugloo.Mount.S3.Auth;

/// <summary>
/// The pieces of AWS Signature Version 4 (AWS General Reference, "Create a signed AWS API request";
/// S3 API Reference, "Authenticating Requests (AWS Signature Version 4)") that the gateway recomputes to
/// check a client's signature: canonical request, string to sign, signing key.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /// <summary>SHA-256 of the empty string, the payload hash of a body-less request.</summary>
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string HmacHex(byte[] key, string data) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data)));

    public static string Sha256Hex(string data) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data)));

    /// <summary>
    /// AWS's UriEncode: every byte of the UTF-8 form except the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX
    /// (upper-case hex); '/' is kept when <paramref name="keepSlash"/> (the path of S3 requests is encoded once).
    /// </summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>Decodes %XX escapes (as UTF-8) and nothing else: '+' is a plus in S3 paths and SigV4 queries.</summary>
    public static string PercentDecode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length && byte.TryParse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b))
            {
                bytes.Add(b);
                i += 2;
            }
            else
            {
                int n = Encoding.UTF8.GetBytes(value.AsSpan(i, char.IsHighSurrogate(value[i]) && i + 1 < value.Length ? 2 : 1), utf8);
                i += char.IsHighSurrogate(value[i]) && i + 1 < value.Length ? 1 : 0;
                bytes.AddRange(utf8[..n]);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <summary>Query parameters sorted by encoded name then value, each encoded, joined with '&amp;'.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Select(p => (Name: UriEncode(p.Key, keepSlash: false), Value: UriEncode(p.Value, keepSlash: false)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Name + "=" + p.Value));

    /// <summary>A header value as signed: trimmed, runs of spaces collapsed to one.</summary>
    public static string CanonicalHeaderValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        bool space = false;
        foreach (char c in value.Trim())
        {
            if (c == ' ')
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Method, canonical URI, canonical query, "name:value\n" for each signed header (names lower-case, in the
    /// order of <paramref name="signedHeaders"/>, which is sorted), a blank line, the signed header list and the
    /// payload hash, joined with '\n'.
    /// </summary>
    public static string CanonicalRequest(string method, string canonicalUri, string canonicalQuery, IReadOnlyList<KeyValuePair<string, string>> headers, string signedHeaders, string payloadHash)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(canonicalUri).Append('\n').Append(canonicalQuery).Append('\n');
        foreach ((string name, string value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Sha256Hex(canonicalRequest)}";

    /// <summary>String to sign for one aws-chunked chunk (S3 API Reference, "Signature calculation: transfer payload in multiple chunks").</summary>
    public static string ChunkStringToSign(string amzDate, string scope, string previousSignature, string chunkSha256Hex) =>
        $"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n{previousSignature}\n{EmptySha256}\n{chunkSha256Hex}";

    /// <summary>String to sign for the trailing headers of a signed aws-chunked body.</summary>
    public static string TrailerStringToSign(string amzDate, string scope, string previousSignature, string trailerSha256Hex) =>
        $"AWS4-HMAC-SHA256-TRAILER\n{amzDate}\n{scope}\n{previousSignature}\n{trailerSha256Hex}";

    /// <summary>Compares two hex signatures in constant time.</summary>
    public static bool SignatureEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual));
}
