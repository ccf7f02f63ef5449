using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Ugloo.Mount.S3.Auth;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>
/// aws-chunked bodies on the wire: a signed chunked PUT built by hand is stored, and the same PUT with one
/// chunk altered in flight (its signature left as it was) is refused with SignatureDoesNotMatch and stores nothing.
/// </summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3ChunkedWireTests(S3Cluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AlteredChunkIsRefusedAndStoresNothing()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        using var http = new HttpClient();

        HttpResponseMessage good = await http.SendAsync(ChunkedPut(bucket, "good.txt", tamper: false), Ct);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        using (var got = await s3.GetObjectAsync(bucket, "good.txt", Ct))
        {
            Assert.Equal("hello, chunked world", Encoding.ASCII.GetString(await S3ObjectTests.ReadAllAsync(got.ResponseStream)));
        }

        HttpResponseMessage bad = await http.SendAsync(ChunkedPut(bucket, "bad.txt", tamper: true), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, bad.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        AmazonS3Exception none = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "bad.txt", Ct));
        Assert.Equal("NoSuchKey", none.ErrorCode);
    }

    private HttpRequestMessage ChunkedPut(string bucket, string key, bool tamper)
    {
        var uri = new Uri($"{cluster.ServiceUrl}/{bucket}/{key}");
        string amzDate = DateTime.UtcNow.ToString(SigV4.AmzDateFormat, CultureInfo.InvariantCulture);
        string scope = $"{amzDate[..8]}/us-east-1/s3/aws4_request";
        byte[][] chunks = [Encoding.ASCII.GetBytes("hello, "), Encoding.ASCII.GetBytes("chunked world")];
        string decodedLength = chunks.Sum(c => c.Length).ToString(CultureInfo.InvariantCulture);
        const string signed = "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length";
        string canonical = SigV4.CanonicalRequest(
            "PUT",
            $"/{bucket}/{key}",
            "",
            [new("content-encoding", "aws-chunked"), new("host", uri.Authority), new("x-amz-content-sha256", SigV4.StreamingPayload), new("x-amz-date", amzDate), new("x-amz-decoded-content-length", decodedLength)],
            signed,
            SigV4.StreamingPayload);
        byte[] signingKey = SigV4.SigningKey(cluster.SecretKey, amzDate[..8], "us-east-1", "s3");
        string seed = SigV4.HmacHex(signingKey, SigV4.StringToSign(amzDate, scope, canonical));

        using var body = new MemoryStream();
        string previous = seed;
        foreach (byte[] chunk in chunks.Append([]))
        {
            string signature = SigV4.HmacHex(signingKey, SigV4.ChunkStringToSign(amzDate, scope, previous, Convert.ToHexStringLower(SHA256.HashData(chunk))));
            previous = signature;
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={signature}\r\n"));
            byte[] sent = (byte[])chunk.Clone();
            if (tamper && sent.Length > 0 && chunk == chunks[1])
            {
                sent[0] ^= 0x20; // "Chunked" instead of "chunked", signature unchanged
            }

            body.Write(sent);
            body.Write("\r\n"u8);
        }

        var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent(body.ToArray()) };
        request.Content.Headers.ContentEncoding.Add("aws-chunked");
        request.Headers.Add("x-amz-date", amzDate);
        request.Headers.Add("x-amz-content-sha256", SigV4.StreamingPayload);
        request.Headers.Add("x-amz-decoded-content-length", decodedLength);
        request.Headers.TryAddWithoutValidation("Authorization", $"{SigV4.Algorithm} Credential={cluster.AccessKey}/{scope}, SignedHeaders={signed}, Signature={seed}");
        return request;
    }
}
