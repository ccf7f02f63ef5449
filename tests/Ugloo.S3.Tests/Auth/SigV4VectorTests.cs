using System.Globalization;
using Ugloo.Mount.S3;
using Ugloo.Mount.S3.Auth;

namespace Ugloo.S3.Tests.Auth;

/// <summary>
/// The gateway's SigV4 verification against the examples AWS publishes: the Signature Version 4 test suite
/// (get-vanilla, get-vanilla-query-order-key-case; service "service") and the S3 API Reference's examples
/// (GET Object with Range, presigned URL, chunked PUT's seed signature).
/// </summary>
public sealed class SigV4VectorTests
{
    private const string SuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string S3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string S3AccessKey = "AKIAIOSFODNN7EXAMPLE";

    private static readonly DateTimeOffset s_s3ExampleDate = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("/", "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("/", "Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")]
    public void SignatureTestSuite(string path, string query, string expected)
    {
        var request = new SignedRequest("GET", path, query, new Dictionary<string, string>());
        string canonical = SigV4.CanonicalRequest(
            "GET",
            SigV4.UriEncode(SigV4.PercentDecode(path), keepSlash: true),
            SigV4.CanonicalQuery(request.Query),
            [new("host", "example.amazonaws.com"), new("x-amz-date", "20150830T123600Z")],
            "host;x-amz-date",
            SigV4.EmptySha256);
        byte[] key = SigV4.SigningKey(SuiteSecret, "20150830", "us-east-1", "service");
        string signature = SigV4.HmacHex(key, SigV4.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical));
        Assert.Equal(expected, signature);
    }

    [Fact]
    public void S3GetObjectExampleIsAccepted()
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = SigV4.EmptySha256,
            ["x-amz-date"] = "20130524T000000Z",
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        };
        RequestIdentity identity = Authenticator().Authenticate(new SignedRequest("GET", "/test.txt", "", headers));
        Assert.Equal(S3AccessKey, identity.Key.AccessKeyId);
    }

    [Fact]
    public void S3GetObjectExampleWithOneHeaderChangedIsRefused()
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["range"] = "bytes=0-10",
            ["x-amz-content-sha256"] = SigV4.EmptySha256,
            ["x-amz-date"] = "20130524T000000Z",
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        };
        S3Exception e = Assert.Throws<S3Exception>(() => Authenticator().Authenticate(new SignedRequest("GET", "/test.txt", "", headers)));
        Assert.Equal("SignatureDoesNotMatch", e.Code);
        Assert.Equal(403, e.Status);
    }

    [Fact]
    public void S3PresignedUrlExampleIsAccepted()
    {
        const string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        var headers = new Dictionary<string, string> { ["host"] = "examplebucket.s3.amazonaws.com" };
        RequestIdentity identity = Authenticator(s_s3ExampleDate.AddHours(1)).Authenticate(new SignedRequest("GET", "/test.txt", query, headers));
        Assert.Equal(SigV4.UnsignedPayload, identity.PayloadHash);

        S3Exception expired = Assert.Throws<S3Exception>(() => Authenticator(s_s3ExampleDate.AddDays(2)).Authenticate(new SignedRequest("GET", "/test.txt", query, headers)));
        Assert.Equal("AccessDenied", expired.Code);
    }

    [Fact]
    public void S3ChunkedPutExampleSeedSignatureIsAccepted()
    {
        RequestIdentity identity = Authenticator().Authenticate(ChunkedExample.Request());
        Assert.Equal(ChunkedExample.SeedSignature, identity.SeedSignature);
    }

    [Fact]
    public void UnknownAccessKeyIsInvalidAccessKeyId()
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["x-amz-content-sha256"] = SigV4.EmptySha256,
            ["x-amz-date"] = "20130524T000000Z",
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=NOSUCHKEY/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=00",
        };
        S3Exception e = Assert.Throws<S3Exception>(() => Authenticator().Authenticate(new SignedRequest("GET", "/", "", headers)));
        Assert.Equal("InvalidAccessKeyId", e.Code);
    }

    [Fact]
    public void AnonymousRequestIsAccessDenied()
    {
        S3Exception e = Assert.Throws<S3Exception>(() => Authenticator().Authenticate(new SignedRequest("GET", "/", "", new Dictionary<string, string> { ["host"] = "h" })));
        Assert.Equal("AccessDenied", e.Code);
    }

    [Fact]
    public void RequestFromAnotherTimeIsTooSkewed()
    {
        S3Exception e = Assert.Throws<S3Exception>(() => Authenticator(s_s3ExampleDate.AddHours(1)).Authenticate(ChunkedExample.Request()));
        Assert.Equal("RequestTimeTooSkewed", e.Code);
    }

    [Fact]
    public void UriEncodeFollowsAwsRules()
    {
        Assert.Equal("a%20b/c~d_e-f.g%2Bh%C3%A9", SigV4.UriEncode("a b/c~d_e-f.g+hé", keepSlash: true));
        Assert.Equal("a%2Fb", SigV4.UriEncode("a/b", keepSlash: false));
        Assert.Equal("a b/+é", SigV4.PercentDecode("a%20b%2F+%C3%A9"));
    }

    internal static RequestAuthenticator Authenticator(DateTimeOffset? now = null) =>
        new(id => id == S3AccessKey ? new AccessKey("example", S3AccessKey, S3Secret, s_s3ExampleDate) : null, new FixedTime(now ?? s_s3ExampleDate));
}

/// <summary>The S3 API Reference's chunked upload example: 65,536 + 1,024 bytes of 'a' in two chunks and the final one.</summary>
internal static class ChunkedExample
{
    public const string SeedSignature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    public const string Chunk1Signature = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    public const string Chunk2Signature = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    public const string FinalSignature = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    public static SignedRequest Request() => new(
        "PUT",
        "/examplebucket/chunkObject.txt",
        "",
        new Dictionary<string, string>
        {
            ["host"] = "s3.amazonaws.com",
            ["x-amz-date"] = "20130524T000000Z",
            ["x-amz-storage-class"] = "REDUCED_REDUNDANCY",
            ["content-encoding"] = "aws-chunked",
            ["x-amz-decoded-content-length"] = "66560",
            ["content-length"] = "66824",
            ["x-amz-content-sha256"] = SigV4.StreamingPayload,
            ["authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
                "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class," +
                "Signature=" + SeedSignature,
        });

    /// <summary>The encoded body, with the chunk signatures of the example (or others given).</summary>
    public static byte[] Body(string chunk1 = Chunk1Signature, string chunk2 = Chunk2Signature, string final = FinalSignature)
    {
        using var body = new MemoryStream();
        void Line(string text) => body.Write(System.Text.Encoding.ASCII.GetBytes(text + "\r\n"));
        Line($"10000;chunk-signature={chunk1}");
        body.Write(Enumerable.Repeat((byte)'a', 65536).ToArray());
        Line("");
        Line($"400;chunk-signature={chunk2}");
        body.Write(Enumerable.Repeat((byte)'a', 1024).ToArray());
        Line("");
        Line($"0;chunk-signature={final}");
        Line("");
        return body.ToArray();
    }

    public static string Length(byte[] body) => body.Length.ToString(CultureInfo.InvariantCulture);
}
