using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>Multipart uploads: complete (md5-of-md5s ETag), part copy, listings, abort and the error cases.</summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3MultipartTests(S3Cluster cluster)
{
    private const int PartSize = 5 << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompletedUploadIsOneObjectWithMultipartETagAndLeavesNothingStaged()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        byte[] part1 = RandomNumberGenerator.GetBytes(PartSize), part2 = RandomNumberGenerator.GetBytes(1000);
        var create = new InitiateMultipartUploadRequest { BucketName = bucket, Key = "big/file.bin", ContentType = "application/x-test" };
        create.Metadata.Add("x-amz-meta-kind", "multipart");
        string id = (await s3.InitiateMultipartUploadAsync(create, Ct)).UploadId;
        UploadPartResponse p1 = await UploadAsync(s3, bucket, "big/file.bin", id, 1, part1);
        UploadPartResponse p2 = await UploadAsync(s3, bucket, "big/file.bin", id, 2, part2);

        ListMultipartUploadsResponse uploads = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket }, Ct);
        Assert.Contains(uploads.MultipartUploads, u => u.UploadId == id && u.Key == "big/file.bin");
        ListPartsResponse parts = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "big/file.bin", UploadId = id }, Ct);
        Assert.Equal([1, 2], parts.Parts.Select(p => p.PartNumber ?? 0));
        Assert.Equal([(long)PartSize, 1000], parts.Parts.Select(p => p.Size ?? 0));

        CompleteMultipartUploadResponse done = await s3.CompleteMultipartUploadAsync(
            new CompleteMultipartUploadRequest { BucketName = bucket, Key = "big/file.bin", UploadId = id, PartETags = [new PartETag(1, p1.ETag), new PartETag(2, p2.ETag)] }, Ct);
        byte[] md5s = [.. MD5.HashData(part1), .. MD5.HashData(part2)];
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(md5s))}-2\"", done.ETag);

        using GetObjectResponse got = await s3.GetObjectAsync(bucket, "big/file.bin", Ct);
        byte[] whole = await S3ObjectTests.ReadAllAsync(got.ResponseStream);
        Assert.Equal(part1.Concat(part2), whole);
        Assert.Equal("multipart", got.Metadata["x-amz-meta-kind"]);
        Assert.Equal("application/x-test", got.Headers.ContentType);
        Assert.False(Directory.Exists(Path.Combine(cluster.DataDirectory, "s3-uploads", id)));

        AmazonS3Exception gone = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "big/file.bin", UploadId = id }, Ct));
        Assert.Equal("NoSuchUpload", gone.ErrorCode);
    }

    [Fact]
    public async Task AbortedUploadLeavesNothingBehind()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        string id = (await s3.InitiateMultipartUploadAsync(bucket, "aborted", Ct)).UploadId;
        await UploadAsync(s3, bucket, "aborted", id, 1, RandomNumberGenerator.GetBytes(1000));
        Assert.True(Directory.Exists(Path.Combine(cluster.DataDirectory, "s3-uploads", id)));
        await s3.AbortMultipartUploadAsync(bucket, "aborted", id, Ct);
        Assert.False(Directory.Exists(Path.Combine(cluster.DataDirectory, "s3-uploads", id)));
        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "aborted", Ct));
        Assert.Equal("NoSuchKey", e.ErrorCode);
        AmazonS3Exception again = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.AbortMultipartUploadAsync(bucket, "aborted", id, Ct));
        Assert.Equal("NoSuchUpload", again.ErrorCode);
        await s3.DeleteBucketAsync(bucket, Ct);
    }

    [Fact]
    public async Task CompleteRefusesSmallPartsUnknownPartsAndWrongOrder()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        string id = (await s3.InitiateMultipartUploadAsync(bucket, "bad", Ct)).UploadId;
        UploadPartResponse p1 = await UploadAsync(s3, bucket, "bad", id, 1, RandomNumberGenerator.GetBytes(1000));
        UploadPartResponse p2 = await UploadAsync(s3, bucket, "bad", id, 2, RandomNumberGenerator.GetBytes(1000));

        AmazonS3Exception small = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "bad", id, new PartETag(1, p1.ETag), new PartETag(2, p2.ETag)));
        Assert.Equal("EntityTooSmall", small.ErrorCode);
        AmazonS3Exception unknown = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "bad", id, new PartETag(3, p1.ETag)));
        Assert.Equal("InvalidPart", unknown.ErrorCode);
        AmazonS3Exception wrongETag = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "bad", id, new PartETag(1, p2.ETag)));
        Assert.Equal("InvalidPart", wrongETag.ErrorCode);
        // The SDK sorts the parts it sends; a part listed twice is out of order too.
        AmazonS3Exception order = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "bad", id, new PartETag(1, p1.ETag), new PartETag(1, p1.ETag)));
        Assert.Equal("InvalidPartOrder", order.ErrorCode);
        AmazonS3Exception noUpload = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => CompleteAsync(s3, bucket, "bad", "0123456789abcdef0123456789abcdef", new PartETag(1, p1.ETag)));
        Assert.Equal("NoSuchUpload", noUpload.ErrorCode);

        // Nothing was recorded by the refused completes, and the upload is still there to fix.
        AmazonS3Exception none = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(bucket, "bad", Ct));
        Assert.Equal("NoSuchKey", none.ErrorCode);
        await CompleteAsync(s3, bucket, "bad", id, new PartETag(1, p1.ETag));
        using GetObjectResponse got = await s3.GetObjectAsync(bucket, "bad", Ct);
        Assert.Equal(1000, got.ContentLength);
    }

    [Fact]
    public async Task UploadPartCopyTakesARangeOfAnotherObject()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        byte[] source = RandomNumberGenerator.GetBytes(PartSize + 4096);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "source", InputStream = new MemoryStream(source) }, Ct);
        string id = (await s3.InitiateMultipartUploadAsync(bucket, "assembled", Ct)).UploadId;
        CopyPartResponse c1 = await s3.CopyPartAsync(
            new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = id, PartNumber = 1, FirstByte = 0, LastByte = PartSize - 1 }, Ct);
        CopyPartResponse c2 = await s3.CopyPartAsync(
            new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = id, PartNumber = 2, FirstByte = PartSize, LastByte = PartSize + 4095 }, Ct);
        await CompleteAsync(s3, bucket, "assembled", id, new PartETag(1, c1.ETag), new PartETag(2, c2.ETag));
        using GetObjectResponse got = await s3.GetObjectAsync(bucket, "assembled", Ct);
        Assert.Equal(source, await S3ObjectTests.ReadAllAsync(got.ResponseStream));
    }

    [Fact]
    public async Task PartsSentOutOfOrderReplacedOrLeftOutGiveExactlyTheListedParts()
    {
        // The gateway stores parts in the swarm as they arrive; whatever arrives, the object is the parts complete lists.
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        byte[] first = RandomNumberGenerator.GetBytes(PartSize), second = RandomNumberGenerator.GetBytes(PartSize), last = RandomNumberGenerator.GetBytes(777);

        // Out of order: part 2 before part 1.
        string id = (await s3.InitiateMultipartUploadAsync(bucket, "ordered.bin", Ct)).UploadId;
        UploadPartResponse p2 = await UploadAsync(s3, bucket, "ordered.bin", id, 2, second);
        UploadPartResponse p1 = await UploadAsync(s3, bucket, "ordered.bin", id, 1, first);
        await CompleteAsync(s3, bucket, "ordered.bin", id, new PartETag(1, p1.ETag), new PartETag(2, p2.ETag));
        Assert.Equal(first.Concat(second), await ReadAsync(s3, bucket, "ordered.bin"));

        // Part 1 sent again with other bytes after the others, and a part 3 that complete leaves out.
        id = (await s3.InitiateMultipartUploadAsync(bucket, "replaced.bin", Ct)).UploadId;
        await UploadAsync(s3, bucket, "replaced.bin", id, 1, first);
        p2 = await UploadAsync(s3, bucket, "replaced.bin", id, 2, last);
        await UploadAsync(s3, bucket, "replaced.bin", id, 3, second);
        p1 = await UploadAsync(s3, bucket, "replaced.bin", id, 1, second);
        await CompleteAsync(s3, bucket, "replaced.bin", id, new PartETag(1, p1.ETag), new PartETag(2, p2.ETag));
        Assert.Equal(second.Concat(last), await ReadAsync(s3, bucket, "replaced.bin"));

        // Complete lists fewer parts than were sent (the writer may have read part 3 already).
        id = (await s3.InitiateMultipartUploadAsync(bucket, "fewer.bin", Ct)).UploadId;
        p1 = await UploadAsync(s3, bucket, "fewer.bin", id, 1, first);
        await UploadAsync(s3, bucket, "fewer.bin", id, 2, second);
        await CompleteAsync(s3, bucket, "fewer.bin", id, new PartETag(1, p1.ETag));
        Assert.Equal(first, await ReadAsync(s3, bucket, "fewer.bin"));
    }

    private static async Task<byte[]> ReadAsync(AmazonS3Client s3, string bucket, string key)
    {
        using GetObjectResponse got = await s3.GetObjectAsync(bucket, key, Ct);
        return await S3ObjectTests.ReadAllAsync(got.ResponseStream);
    }

    private static Task<UploadPartResponse> UploadAsync(AmazonS3Client s3, string bucket, string key, string id, int number, byte[] data) =>
        s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = id, PartNumber = number, InputStream = new MemoryStream(data) }, Ct);

    private static Task<CompleteMultipartUploadResponse> CompleteAsync(AmazonS3Client s3, string bucket, string key, string id, params PartETag[] parts) =>
        s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = id, PartETags = [.. parts] }, Ct);
}
