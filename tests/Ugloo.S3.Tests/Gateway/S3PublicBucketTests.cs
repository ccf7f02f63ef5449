using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>
/// Public buckets: unsigned clients may read a bucket made public ('ugloo s3 public' or PutBucketAcl
/// public-read), never write to it, and nothing of a private bucket.
/// </summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3PublicBucketTests(S3Cluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublicBucketIsReadableAnonymouslyOnlyWhileOn()
    {
        using AmazonS3Client s3 = cluster.Client();
        using AmazonS3Client anonymous = AnonymousClient();
        using var http = new HttpClient();
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "docs/readme.txt", ContentBody = "hello, world" }, Ct);

        // Private: every anonymous read is AccessDenied.
        await AssertDeniedAsync(() => anonymous.GetObjectAsync(bucket, "docs/readme.txt", Ct));
        await AssertDeniedAsync(() => anonymous.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, Ct));
        HttpResponseMessage raw = await http.GetAsync($"{cluster.ServiceUrl}/{bucket}/docs/readme.txt", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, raw.StatusCode);
        Assert.Contains("<Code>AccessDenied</Code>", await raw.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        (int code, string stdout, string stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "public", bucket, "on");
        Assert.True(code == 0, stderr);
        Assert.Contains("public", stdout, StringComparison.Ordinal);

        // Public: GetObject, HeadObject, ListObjects v1 and v2, GetBucketLocation, unsigned.
        using (GetObjectResponse get = await anonymous.GetObjectAsync(bucket, "docs/readme.txt", Ct))
        using (var reader = new StreamReader(get.ResponseStream))
        {
            Assert.Equal("hello, world", await reader.ReadToEndAsync(Ct));
        }

        GetObjectMetadataResponse head = await anonymous.GetObjectMetadataAsync(bucket, "docs/readme.txt", Ct);
        Assert.Equal(12, head.ContentLength);
        ListObjectsV2Response v2 = await anonymous.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "docs/" }, Ct);
        Assert.Equal(["docs/readme.txt"], v2.S3Objects.Select(o => o.Key));
        ListObjectsResponse v1 = await anonymous.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket }, Ct);
        Assert.Equal(["docs/readme.txt"], v1.S3Objects.Select(o => o.Key));
        await anonymous.GetBucketLocationAsync(bucket, Ct);
        Assert.Equal("hello, world", await http.GetStringAsync($"{cluster.ServiceUrl}/{bucket}/docs/readme.txt", Ct));

        // Writes and the rest stay signed, even on a public bucket; a private bucket stays private.
        await AssertDeniedAsync(() => anonymous.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "docs/evil.txt", ContentBody = "x" }, Ct));
        await AssertDeniedAsync(() => anonymous.DeleteObjectAsync(bucket, "docs/readme.txt", Ct));
        await AssertDeniedAsync(() => anonymous.InitiateMultipartUploadAsync(bucket, "docs/big.bin", Ct));
        await AssertDeniedAsync(() => anonymous.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket }, Ct));
        await AssertDeniedAsync(() => anonymous.ListBucketsAsync(Ct));
        using var put = new ByteArrayContent(Encoding.UTF8.GetBytes("x"));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PutAsync($"{cluster.ServiceUrl}/{bucket}/docs/evil.txt", put, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.DeleteAsync($"{cluster.ServiceUrl}/{bucket}/docs/readme.txt", Ct)).StatusCode);
        ListObjectsV2Response after = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, Ct);
        Assert.Equal(["docs/readme.txt"], after.S3Objects.Select(o => o.Key));

        string other = S3Cluster.NewBucket();
        await s3.PutBucketAsync(other, Ct);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = other, Key = "secret.txt", ContentBody = "s" }, Ct);
        await AssertDeniedAsync(() => anonymous.GetObjectAsync(other, "secret.txt", Ct));

        // Off again: refused from the next request on.
        (code, _, stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "public", bucket, "off");
        Assert.True(code == 0, stderr);
        await AssertDeniedAsync(() => anonymous.GetObjectAsync(bucket, "docs/readme.txt", Ct));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync($"{cluster.ServiceUrl}/{bucket}?list-type=2", Ct)).StatusCode);
    }

    [Fact]
    public async Task BucketAclPublicReadTogglesAnonymousReadsAndShowsInGetAcl()
    {
        using AmazonS3Client s3 = cluster.Client();
        using AmazonS3Client anonymous = AnonymousClient();
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "a.txt", ContentBody = "abc" }, Ct);
        Assert.DoesNotContain((await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket }, Ct)).Grants, g => g.Grantee.URI is not null);

        await s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicRead }, Ct);
        GetBucketAclResponse acl = await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket }, Ct);
        Assert.Contains(acl.Grants, g => g.Grantee.URI == "http://acs.amazonaws.com/groups/global/AllUsers" && g.Permission == S3Permission.READ);
        Assert.Equal(3, (await anonymous.GetObjectMetadataAsync(bucket, "a.txt", Ct)).ContentLength);

        // Anonymous writes cannot be granted.
        AmazonS3Exception refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(
            () => s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicReadWrite }, Ct));
        Assert.Equal("InvalidArgument", refused.ErrorCode);
        await AssertDeniedAsync(() => anonymous.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "b.txt", ContentBody = "x" }, Ct));

        await s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.Private }, Ct);
        await AssertDeniedAsync(() => anonymous.GetObjectMetadataAsync(bucket, "a.txt", Ct));

        // A deleted bucket made again under the same name starts private.
        await s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = bucket, ACL = S3CannedACL.PublicRead }, Ct);
        await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "a.txt" }] }, Ct);
        await s3.DeleteBucketAsync(bucket, Ct);
        await s3.PutBucketAsync(bucket, Ct);
        await AssertDeniedAsync(() => anonymous.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, Ct));
    }

    [Fact]
    public async Task PublicCommandRefusesMissingBucketAndListsPublicOnes()
    {
        string missing = S3Cluster.NewBucket();
        (int code, _, string stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "public", missing, "on");
        Assert.NotEqual(0, code);
        Assert.Contains(missing, stderr, StringComparison.Ordinal);

        using AmazonS3Client s3 = cluster.Client();
        string bucket = S3Cluster.NewBucket();
        await s3.PutBucketAsync(bucket, Ct);
        (code, _, stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "public", bucket, "on");
        Assert.True(code == 0, stderr);
        (code, string stdout, stderr) = await cluster.Cluster.RunAsync(Ct, "s3", "public");
        Assert.True(code == 0, stderr);
        Assert.Contains(bucket, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(missing, stdout, StringComparison.Ordinal);
        (code, stdout, _) = await cluster.Cluster.RunAsync(Ct, "s3", "public", bucket);
        Assert.Equal(0, code);
        Assert.Contains("public", stdout, StringComparison.Ordinal);
    }

    private AmazonS3Client AnonymousClient() =>
        new(
            new AnonymousAWSCredentials(),
            new AmazonS3Config
            {
                ServiceURL = cluster.ServiceUrl,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                MaxErrorRetry = 0,
            });

    private static async Task AssertDeniedAsync(Func<Task> request)
    {
        AmazonS3Exception e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(request);
        Assert.Equal(HttpStatusCode.Forbidden, e.StatusCode);
    }
}
