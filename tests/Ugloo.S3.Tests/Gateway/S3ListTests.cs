using Amazon.S3;
using Amazon.S3.Model;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>ListObjects (v1), ListObjectsV2 and ListObjectVersions: prefixes, delimiters, pages.</summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3ListTests(S3Cluster cluster)
{
    private static readonly string[] s_keys = ["a.txt", "docs/1.txt", "docs/2.txt", "docs/deep/3.txt", "music/x.mp3", "z.txt"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task V2ListsWithDelimiterAndPrefix()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await FillAsync(s3);

        ListObjectsV2Response top = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" }, Ct);
        Assert.Equal(["a.txt", "z.txt"], top.S3Objects.Select(o => o.Key));
        Assert.Equal(["docs/", "music/"], top.CommonPrefixes);

        ListObjectsV2Response docs = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "docs/", Delimiter = "/" }, Ct);
        Assert.Equal(["docs/1.txt", "docs/2.txt"], docs.S3Objects.Select(o => o.Key));
        Assert.Equal(["docs/deep/"], docs.CommonPrefixes);

        ListObjectsV2Response all = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, Ct);
        Assert.Equal(s_keys, all.S3Objects.Select(o => o.Key));
        Assert.All(all.S3Objects, o => Assert.Equal(o.Key.Length, o.Size));
    }

    [Fact]
    public async Task V2PagesWithContinuationTokenAndStartAfter()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await FillAsync(s3);
        var keys = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            ListObjectsV2Response page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 2, ContinuationToken = token }, Ct);
            keys.AddRange(page.S3Objects.Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);
        Assert.Equal(s_keys, keys);
        Assert.Equal(3, pages);

        ListObjectsV2Response after = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, StartAfter = "docs/2.txt" }, Ct);
        Assert.Equal(["docs/deep/3.txt", "music/x.mp3", "z.txt"], after.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task V1PagesWithMarkerAndDelimiter()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await FillAsync(s3);
        var seen = new List<string>();
        string? marker = null;
        do
        {
            ListObjectsResponse page = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 1, Delimiter = "/", Marker = marker }, Ct);
            seen.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            seen.AddRange(page.CommonPrefixes ?? []);
            marker = page.IsTruncated == true ? page.NextMarker : null;
        }
        while (marker is not null);
        Assert.Equal(["a.txt", "docs/", "music/", "z.txt"], seen);
    }

    [Fact]
    public async Task VersionsListEveryVersionAndDeleteMarkerNewestFirst()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        PutObjectResponse v1 = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "f", ContentBody = "one" }, Ct);
        PutObjectResponse v2 = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "f", ContentBody = "two!" }, Ct);
        DeleteObjectResponse marker = await s3.DeleteObjectAsync(bucket, "f", Ct);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "g", ContentBody = "g" }, Ct);

        ListVersionsResponse versions = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket }, Ct);
        var f = versions.Versions.Where(v => v.Key == "f").ToList();
        Assert.Equal([marker.VersionId, v2.VersionId, v1.VersionId], f.Select(v => v.VersionId));
        Assert.True(f[0].IsDeleteMarker);
        Assert.True(f[0].IsLatest);
        Assert.False(f[1].IsLatest);
        Assert.Equal(4, f[1].Size);

        // Paged one entry at a time, the same sequence comes back.
        var paged = new List<string>();
        string? keyMarker = null, versionMarker = null;
        do
        {
            ListVersionsResponse page = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, MaxKeys = 1, KeyMarker = keyMarker, VersionIdMarker = versionMarker }, Ct);
            paged.AddRange(page.Versions.Select(v => v.VersionId));
            (keyMarker, versionMarker) = page.IsTruncated == true ? (page.NextKeyMarker, page.NextVersionIdMarker) : (null, null);
        }
        while (keyMarker is not null);
        Assert.Equal(versions.Versions.Select(v => v.VersionId), paged);

        // The conformance suites' clean-up: delete every version by id, then the bucket.
        await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [.. versions.Versions.Select(v => new KeyVersion { Key = v.Key, VersionId = v.VersionId })] }, Ct);
        Assert.Empty((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, Ct)).S3Objects ?? []);
        await s3.DeleteBucketAsync(bucket, Ct);
    }

    private static async Task<string> FillAsync(AmazonS3Client s3)
    {
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        foreach (string key in s_keys)
        {
            await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = key }, Ct);
        }

        return bucket;
    }
}
