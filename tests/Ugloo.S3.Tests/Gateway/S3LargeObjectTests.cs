using System.Globalization;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>A large object streams through the gateway: it comes back intact and the gateway's memory stays bounded.</summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3LargeObjectTests(S3Cluster cluster)
{
    private const long Size = 384L << 20;

    /// <summary>
    /// What the write and read pipelines may add to the gateway's peak: a few segments in flight with their
    /// parity and fragment copies, plus GC headroom, well below the object's size. Measured about 130 MiB with
    /// 4 MiB segments; with 8 MiB ones a transfer uses 4 workers on any machine
    /// (<c>ObjectPipelineOptions.TransferWorkersFor</c>), so the bytes in flight stay under its 96 MiB budget.
    /// </summary>
    private const long PipelineAllowance = 224L << 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LargeObjectRoundTripsWithoutTheGatewayHoldingIt()
    {
        using AmazonS3Client s3 = cluster.Client();
        string bucket = await S3ObjectTests.NewBucketAsync(s3);
        long rssBefore = Status("VmRSS"), peakBefore = Status("VmHWM");

        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "large.bin", InputStream = new PatternStream(Size) }, Ct);
        using (GetObjectResponse got = await s3.GetObjectAsync(bucket, "large.bin", Ct))
        {
            Assert.Equal(Size, got.ContentLength);
            using var expected = new PatternStream(Size);
            Assert.Equal(await SHA256.HashDataAsync(expected, Ct), await SHA256.HashDataAsync(got.ResponseStream, Ct));
        }

        // Had the gateway buffered the body (on PUT or GET), its peak would have grown by the object's size.
        long peakAfter = Status("VmHWM");
        Assert.True(
            peakAfter < Math.Max(peakBefore, rssBefore) + PipelineAllowance,
            $"peak RSS of ugloo up went from {peakBefore >> 20} MiB (RSS {rssBefore >> 20} MiB) to {peakAfter >> 20} MiB for a {Size >> 20} MiB object");
    }

    /// <summary>A field of /proc/PID/status of the ugloo up process (which hosts the gateway), in bytes.</summary>
    private long Status(string field)
    {
        foreach (string line in File.ReadAllLines($"/proc/{cluster.UpPid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"{field} not in /proc/{cluster.UpPid}/status");
    }

    /// <summary>A seekable stream of <c>length</c> pseudo-random bytes computed from the position: nothing held in memory.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, length - Position);
            for (int i = 0; i < n; i++)
            {
                ulong x = (ulong)(Position + i) * 0x9E3779B97F4A7C15UL;
                buffer[i] = (byte)(x >> 56);
            }

            Position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
