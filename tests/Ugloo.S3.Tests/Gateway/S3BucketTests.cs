using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>Bucket operations through AWSSDK.S3: a bucket is a top-level directory of the volume.</summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3BucketTests(S3Cluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatedBucketIsListedHeadableVersionedAndDeletable()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);

        ListBucketsResponse list = await s3.ListBucketsAsync(Ct);
        Assert.Contains(list.Buckets, b => b.BucketName == bucket);
        Assert.Equal(HttpStatusCode.OK, (await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, Ct)).HttpStatusCode);
        GetBucketLocationResponse location = await s3.GetBucketLocationAsync(bucket, Ct);
        Assert.True(string.IsNullOrEmpty(location.Location?.Value) || location.Location.Value == "us-east-1");
        GetBucketVersioningResponse versioning = await s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, Ct);
        Assert.Equal(VersionStatus.Enabled, versioning.VersioningConfig.Status);

        // The bucket is a directory of the volume: ugloo ls sees it.
        (int code, string stdout, string stderr) = await cluster.Cluster.RunAsync(Ct, "ls", "/");
        Assert.True(code == 0, stderr);
        Assert.Contains(bucket, stdout, StringComparison.Ordinal);

        await s3.DeleteBucketAsync(bucket, Ct);
        Assert.DoesNotContain((await s3.ListBucketsAsync(Ct)).Buckets ?? [], b => b.BucketName == bucket);
    }

    [Fact]
    public async Task MissingBucketIsNoSuchBucket()
    {
        using AmazonS3Client s3 = cluster.Client();
        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "no-such-bucket-here" }, Ct));
        Assert.Equal("NoSuchBucket", e.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        AmazonS3Exception head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = "no-such-bucket-here" }, Ct));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        AmazonS3Exception put = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = "no-such-bucket-here", Key = "k", ContentBody = "x" }, Ct));
        Assert.Equal("NoSuchBucket", put.ErrorCode);
    }

    [Fact]
    public async Task BucketWithAnObjectIsNotEmptyUntilTheObjectIsDeleted()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "dir/file.txt", ContentBody = "content" }, Ct);

        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.DeleteBucketAsync(bucket, Ct));
        Assert.Equal("BucketNotEmpty", e.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);

        await s3.DeleteObjectAsync(bucket, "dir/file.txt", Ct);
        await s3.DeleteBucketAsync(bucket, Ct);
    }

    [Fact]
    public async Task CreatingAnExistingBucketOrABadNameFails()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);
        AmazonS3Exception again = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutBucketAsync(bucket, Ct));
        Assert.Equal("BucketAlreadyOwnedByYou", again.ErrorCode);
        AmazonS3Exception bad = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.PutBucketAsync("Bad_Name", Ct));
        Assert.Equal("InvalidBucketName", bad.ErrorCode);
    }

    [Fact]
    public async Task WrongSecretIsSignatureDoesNotMatchAndUnknownKeyIsInvalidAccessKeyId()
    {
        using AmazonS3Client wrongSecret = cluster.Client(secretKey: cluster.SecretKey[..^1] + (cluster.SecretKey[^1] == 'A' ? "B" : "A"));
        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => wrongSecret.ListBucketsAsync(Ct));
        Assert.Equal("SignatureDoesNotMatch", e.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);

        using AmazonS3Client unknown = cluster.Client(accessKey: "UGNOSUCHKEY000000000");
        AmazonS3Exception u = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => unknown.ListBucketsAsync(Ct));
        Assert.Equal("InvalidAccessKeyId", u.ErrorCode);
    }

    [Fact]
    public async Task AnonymousRequestIsRefusedAndRemovedKeyStopsWorking()
    {
        using var http = new HttpClient();
        HttpResponseMessage anonymous = await http.GetAsync(cluster.ServiceUrl + "/", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await anonymous.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        (int code, string stdout, string stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "keys", "add", "temporary-" + Guid.NewGuid().ToString("N")[..6], "--json");
        Assert.True(code == 0, stderr);
        var key = System.Text.Json.JsonDocument.Parse(stdout).RootElement;
        string accessKey = key.GetProperty("access_key").GetString()!;
        using AmazonS3Client s3 = cluster.Client(accessKey, key.GetProperty("secret_key").GetString());
        await s3.ListBucketsAsync(Ct);

        (code, _, stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "keys", "remove", accessKey);
        Assert.True(code == 0, stderr);
        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.ListBucketsAsync(Ct));
        Assert.Equal("InvalidAccessKeyId", e.ErrorCode);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void KeyFileIsOwnerOnly()
    {
        UnixFileMode mode = File.GetUnixFileMode(Path.Combine(cluster.DataDirectory, "s3-keys.json"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }
}
