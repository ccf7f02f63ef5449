using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>PutObject, GetObject (ranges, conditionals), HeadObject, DeleteObject(s), CopyObject and checksums through AWSSDK.S3.</summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3ObjectTests(S3Cluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutThenGetReturnsTheBytesMetadataAndMd5ETag()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        byte[] data = RandomNumberGenerator.GetBytes(300_000);
        var put = new PutObjectRequest { BucketName = bucket, Key = "photos/2026/a.jpg", InputStream = new MemoryStream(data), ContentType = "image/jpeg" };
        put.Metadata.Add("x-amz-meta-camera", "pinhole");
        put.Headers.CacheControl = "max-age=60";
        PutObjectResponse stored = await s3.PutObjectAsync(put, Ct);
        string md5 = "\"" + Convert.ToHexStringLower(MD5.HashData(data)) + "\"";
        Assert.Equal(md5, stored.ETag);
        Assert.False(string.IsNullOrEmpty(stored.VersionId));

        using GetObjectResponse got = await s3.GetObjectAsync(bucket, "photos/2026/a.jpg", Ct);
        Assert.Equal(data, await ReadAllAsync(got.ResponseStream));
        Assert.Equal(md5, got.ETag);
        Assert.Equal("image/jpeg", got.Headers.ContentType);
        Assert.Equal("pinhole", got.Metadata["x-amz-meta-camera"]);
        Assert.Equal("max-age=60", got.Headers.CacheControl);
        Assert.Equal(stored.VersionId, got.VersionId);

        GetObjectMetadataResponse head = await s3.GetObjectMetadataAsync(bucket, "photos/2026/a.jpg", Ct);
        Assert.Equal(data.Length, head.ContentLength);
        Assert.Equal(md5, head.ETag);

        // The same file through the volume's own CLI: S3 and the mount show one tree.
        using var viaCli = new MemoryStream();
        (int code, string stderr) = await cluster.Cluster.RunWithStreamsAsync(null, viaCli, Ct, "get", $"/{bucket}/photos/2026/a.jpg", "-");
        Assert.True(code == 0, stderr);
        Assert.Equal(data, viaCli.ToArray());
    }

    [Fact]
    public async Task FileStoredWithUglooPutIsAnObject()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        byte[] data = RandomNumberGenerator.GetBytes(10_000);
        (int code, string stderr) = await cluster.Cluster.RunWithStreamsAsync(new MemoryStream(data), Stream.Null, Ct, "put", "-", $"/{bucket}/from-cli.bin");
        Assert.True(code == 0, stderr);
        using GetObjectResponse got = await s3.GetObjectAsync(bucket, "from-cli.bin", Ct);
        Assert.Equal(data, await ReadAllAsync(got.ResponseStream));
    }

    [Fact]
    public async Task SdkDefaultsAwsChunkedWithTrailingChecksumStoreTheRightBytes()
    {
        using AmazonS3Client s3 = cluster.DefaultClient();
        string bucket = await NewBucketAsync(s3);
        byte[] data = RandomNumberGenerator.GetBytes(1_000_000);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "chunked.bin", InputStream = new MemoryStream(data) }, Ct);
        using GetObjectResponse got = await s3.GetObjectAsync(bucket, "chunked.bin", Ct);
        Assert.Equal(data, await ReadAllAsync(got.ResponseStream));
        Assert.Equal(data.Length, got.ContentLength);
    }

    [Fact]
    public async Task UnsignedPayloadAndPresignedUrlWork()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        byte[] data = Encoding.UTF8.GetBytes("presigned content");

        // A presigned PUT carries UNSIGNED-PAYLOAD (the SDK refuses unsigned payloads over plain HTTP otherwise).
        string putUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "p.txt", Expires = DateTime.UtcNow.AddMinutes(5), Verb = HttpVerb.PUT, Protocol = Protocol.HTTP });
        using var http = new HttpClient();
        HttpResponseMessage stored = await http.PutAsync(putUrl, new ByteArrayContent(data), Ct);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        string url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "p.txt", Expires = DateTime.UtcNow.AddMinutes(5), Verb = HttpVerb.GET, Protocol = Protocol.HTTP });
        Assert.Equal(data, await http.GetByteArrayAsync(url, Ct));
        HttpResponseMessage tampered = await http.GetAsync(url.Replace("p.txt", "q.txt", StringComparison.Ordinal), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
    }

    [Fact]
    public async Task RangesAndInvalidRange()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        byte[] data = RandomNumberGenerator.GetBytes(5_000_000);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "r.bin", InputStream = new MemoryStream(data) }, Ct);

        using (GetObjectResponse middle = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "r.bin", ByteRange = new ByteRange(4_194_000, 4_195_000) }, Ct))
        {
            Assert.Equal(HttpStatusCode.PartialContent, middle.HttpStatusCode);
            Assert.Equal(data[4_194_000..4_195_001], await ReadAllAsync(middle.ResponseStream));
            Assert.Equal("bytes 4194000-4195000/5000000", middle.ContentRange);
        }

        using (GetObjectResponse suffix = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "r.bin", ByteRange = new ByteRange("bytes=-100") }, Ct))
        {
            Assert.Equal(data[^100..], await ReadAllAsync(suffix.ResponseStream));
        }

        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "r.bin", ByteRange = new ByteRange(5_000_000, 5_000_010) }, Ct));
        Assert.Equal("InvalidRange", e.ErrorCode);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, e.StatusCode);
    }

    [Fact]
    public async Task ConditionalGets()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        PutObjectResponse put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "c.txt", ContentBody = "conditional" }, Ct);

        using (GetObjectResponse match = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c.txt", EtagToMatch = put.ETag }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, match.HttpStatusCode);
        }

        AmazonS3Exception failed = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c.txt", EtagToMatch = "\"0123\"" }, Ct));
        Assert.Equal(HttpStatusCode.PreconditionFailed, failed.StatusCode);
        Assert.Equal("PreconditionFailed", failed.ErrorCode);

        AmazonS3Exception notModified = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c.txt", EtagToNotMatch = put.ETag }, Ct));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        AmazonS3Exception notModifiedSince = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c.txt", ModifiedSinceDate = DateTime.UtcNow.AddMinutes(1) }, Ct));
        Assert.Equal(HttpStatusCode.NotModified, notModifiedSince.StatusCode);

        AmazonS3Exception unmodifiedSince = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "c.txt", UnmodifiedSinceDate = DateTime.UtcNow.AddDays(-1) }, Ct));
        Assert.Equal(HttpStatusCode.PreconditionFailed, unmodifiedSince.StatusCode);
    }

    [Fact]
    public async Task DeleteLeavesAMarkerAndTheOldVersionReadable()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        PutObjectResponse put = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "d.txt", ContentBody = "before delete" }, Ct);
        DeleteObjectResponse deleted = await s3.DeleteObjectAsync(bucket, "d.txt", Ct);
        Assert.Equal("true", deleted.DeleteMarker);

        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "d.txt", Ct));
        Assert.Equal("NoSuchKey", e.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);

        using GetObjectResponse old = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "d.txt", VersionId = put.VersionId }, Ct);
        Assert.Equal("before delete", Encoding.UTF8.GetString(await ReadAllAsync(old.ResponseStream)));

        // Deleting the delete marker by its version id brings the object back, as on S3.
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "d.txt", VersionId = deleted.VersionId }, Ct);
        using GetObjectResponse back = await s3.GetObjectAsync(bucket, "d.txt", Ct);
        Assert.Equal("before delete", Encoding.UTF8.GetString(await ReadAllAsync(back.ResponseStream)));
    }

    [Fact]
    public async Task MissingKeyAndVersionAreNoSuchKeyAndNoSuchVersion()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        AmazonS3Exception key = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "missing", Ct));
        Assert.Equal("NoSuchKey", key.ErrorCode);
        AmazonS3Exception head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(bucket, "missing", Ct));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "v", ContentBody = "x" }, Ct);
        AmazonS3Exception version = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "v", VersionId = "999999999" }, Ct));
        Assert.Equal("NoSuchVersion", version.ErrorCode);
    }

    [Fact]
    public async Task DeleteObjectsRemovesEachKey()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        for (int i = 0; i < 3; i++)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = $"m/{i}", ContentBody = $"{i}" }, Ct);
        }

        DeleteObjectsResponse result = await s3.DeleteObjectsAsync(
            new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "m/0" }, new KeyVersion { Key = "m/1" }, new KeyVersion { Key = "m/2" }] },
            Ct);
        Assert.Equal(3, result.DeletedObjects.Count);
        ListObjectsV2Response list = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, Ct);
        Assert.Empty(list.S3Objects ?? []);
    }

    [Fact]
    public async Task CopyObjectKeepsOrReplacesMetadata()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        var put = new PutObjectRequest { BucketName = bucket, Key = "src.txt", ContentBody = "copy me", ContentType = "text/plain" };
        put.Metadata.Add("x-amz-meta-origin", "source");
        await s3.PutObjectAsync(put, Ct);

        CopyObjectResponse copied = await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src.txt", DestinationBucket = bucket, DestinationKey = "dir/dst.txt" }, Ct);
        using (GetObjectResponse got = await s3.GetObjectAsync(bucket, "dir/dst.txt", Ct))
        {
            Assert.Equal("copy me", Encoding.UTF8.GetString(await ReadAllAsync(got.ResponseStream)));
            Assert.Equal("source", got.Metadata["x-amz-meta-origin"]);
            Assert.Equal("text/plain", got.Headers.ContentType);
            Assert.Equal(copied.ETag, got.ETag);
        }

        var replace = new CopyObjectRequest { SourceBucket = bucket, SourceKey = "src.txt", DestinationBucket = bucket, DestinationKey = "src.txt", MetadataDirective = S3MetadataDirective.REPLACE, ContentType = "text/markdown" };
        await s3.CopyObjectAsync(replace, Ct);
        GetObjectMetadataResponse head = await s3.GetObjectMetadataAsync(bucket, "src.txt", Ct);
        Assert.Equal("text/markdown", head.Headers.ContentType);
        Assert.Empty(head.Metadata.Keys);

        AmazonS3Exception missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "nope", DestinationBucket = bucket, DestinationKey = "x" }, Ct));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
    }

    [Fact]
    public async Task WrongContentMd5OrChecksumStoresNothing()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await NewBucketAsync(s3);
        var badMd5 = new PutObjectRequest { BucketName = bucket, Key = "bad.txt", ContentBody = "payload", MD5Digest = Convert.ToBase64String(MD5.HashData("other"u8)) };
        AmazonS3Exception md5 = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutObjectAsync(badMd5, Ct));
        Assert.Equal("BadDigest", md5.ErrorCode);

        var badChecksum = new PutObjectRequest { BucketName = bucket, Key = "bad.txt", ContentBody = "payload", ChecksumSHA256 = Convert.ToBase64String(SHA256.HashData("other"u8)) };
        AmazonS3Exception sha = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutObjectAsync(badChecksum, Ct));
        Assert.Equal("BadDigest", sha.ErrorCode);

        AmazonS3Exception none = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "bad.txt", Ct));
        Assert.Equal("NoSuchKey", none.ErrorCode);

        var goodChecksum = new PutObjectRequest { BucketName = bucket, Key = "good.txt", ContentBody = "payload", ChecksumSHA256 = Convert.ToBase64String(SHA256.HashData("payload"u8)) };
        await s3.PutObjectAsync(goodChecksum, Ct);
    }

    internal static async Task<string> NewBucketAsync(AmazonS3Client s3)
    {
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);
        return bucket;
    }

    internal static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, Ct);
        return buffer.ToArray();
    }
}
