using System.Security.Cryptography;
using Ugloo.Engine.Objects;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>A 1 GiB file through a six-node cluster with the default 8 MiB segments.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class LargeFileTests : IDisposable
{
    private const long Size = 1L << 30;

    private readonly TestFiles _files = new();

    [Fact]
    public async Task One_GiB_file_round_trips_byte_identical()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string local = _files.PathOf("big.bin");
        string expected;
        using (var source = new GeneratedStream(Size, seed: 2024))
        using (FileStream file = File.Create(local))
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            byte[] buffer = new byte[1 << 20];
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                file.Write(buffer, 0, read);
            }

            expected = Convert.ToHexStringLower(hash.GetHashAndReset());
        }

        await using RunningCluster cluster = await RunningCluster.StartAsync(6, [], ct);
        (int putExit, string putOut, string putErr) = await cluster.RunAsync(ct, "put", local, "/big/big.bin");
        Assert.True(putExit == 0, $"{putErr}\n{putOut}");
        File.Delete(local);

        // Read back through stdout, hashed as it streams: the CLI holds a few segments, never the file.
        using var sink = new HashingStream();
        (int getExit, string getErr) = await cluster.RunWithStreamsAsync(null, sink, ct, "get", "/big/big.bin", "-");
        Assert.True(getExit == 0, getErr);
        Assert.Equal(Size, sink.Length);
        Assert.Equal(expected, sink.Hash());
        Assert.Equal(0, await cluster.StopAsync(Signal.Terminate, ct));
    }

    public void Dispose() => _files.Dispose();

    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public string Hash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            _length += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
