using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>Small files the mount packed into one object are S3 objects like any other: GET, ranges, HEAD, ETags, copies.</summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3PackedObjectTests(S3Cluster cluster)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FilesPackedByTheMountReadBackWholeAndInRanges()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);

        // Closed files a mount left queued; a session on the same data directory (what `ugloo mount` runs)
        // replays them at once and packs them into one object.
        byte[][] files = [.. Enumerable.Range(0, 12).Select(i => RandomNumberGenerator.GetBytes(1000 + (i * 997)))];
        string staging = Path.Combine(cluster.DataDirectory, "staging");
        Directory.CreateDirectory(staging);
        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(cluster.DataDirectory, "catalog.db")))
        {
            var attributes = new CatalogAttributes(0x1A4, 0, 0, 0);
            for (int i = 0; i < files.Length; i++)
            {
                string staged = Path.Combine(staging, Guid.NewGuid().ToString("N"));
                await File.WriteAllBytesAsync(staged, files[i], Ct);
                catalog.AddPending($"/{bucket}/small/{i}.bin", staged, files[i].Length, attributes, DateTimeOffset.UtcNow);
            }
        }

        VolumeSession session = await VolumeSession.OpenAsync(cluster.DataDirectory, null, null, NullLogger.Instance, Ct);
        await using (session)
        {
            await session.FileSystem.WaitForJournalAsync(null, Ct);
        }

        using (VolumeCatalog catalog = VolumeCatalog.Open(Path.Combine(cluster.DataDirectory, "catalog.db")))
        {
            Assert.All(catalog.List($"/{bucket}/small"), e => Assert.True(e.Latest!.IsPacked));
        }

        var etags = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < files.Length; i++)
        {
            using GetObjectResponse got = await s3.GetObjectAsync(bucket, $"small/{i}.bin", Ct);
            Assert.Equal(files[i], await S3ObjectTests.ReadAllAsync(got.ResponseStream));
            Assert.True(etags.Add(got.ETag), $"object {i} has the ETag of another file of its pack");
            GetObjectMetadataResponse head = await s3.GetObjectMetadataAsync(bucket, $"small/{i}.bin", Ct);
            Assert.Equal(files[i].Length, head.ContentLength);
        }

        using (GetObjectResponse range = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "small/7.bin", ByteRange = new ByteRange(100, 299) }, Ct))
        {
            Assert.Equal(files[7].AsSpan(100, 200).ToArray(), await S3ObjectTests.ReadAllAsync(range.ResponseStream));
        }

        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "small/5.bin", DestinationBucket = bucket, DestinationKey = "copy.bin" }, Ct);
        using (GetObjectResponse copy = await s3.GetObjectAsync(bucket, "copy.bin", Ct))
        {
            Assert.Equal(files[5], await S3ObjectTests.ReadAllAsync(copy.ResponseStream));
        }
    }
}
