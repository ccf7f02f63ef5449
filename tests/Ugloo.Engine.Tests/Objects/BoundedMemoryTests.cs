using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Tests.Objects;

public sealed class BoundedMemoryTests
{
    [Fact]
    public async Task A_64_MiB_object_is_written_and_read_with_a_bounded_number_of_buffers()
    {
        const long size = 64L * 1024 * 1024;
        const int segment = 1024 * 1024;
        const int workers = 2;
        const int queued = 2;
        var pool = new CountingArrayPool();
        var options = new ObjectPipelineOptions
        {
            SegmentSize = segment,
            DataFragments = 4,
            ParityFragments = 2,
            DegreeOfParallelism = workers,
            QueuedSegments = queued,
            BufferPool = pool,
        };
        CancellationToken ct = TestContext.Current.CancellationToken;
        var store = new MemoryFragmentStore();
        using var volumeKey = VolumeKey.Generate();

        ObjectWriteResult result = await new ObjectWriter(options).WriteAsync(new GeneratedStream(size, 3), store, volumeKey, ct);

        // Producer: one buffer filling + one held back; the channel's queue; data + parity per worker.
        int bound = 2 + queued + (2 * workers);
        Assert.Equal(64, result.Manifest.SegmentCount);
        Assert.True(pool.Rents >= 128, $"only {pool.Rents} rents: the test did not exercise the pool");
        Assert.InRange(pool.Peak, 1, bound);
        Assert.Equal(0, pool.Outstanding);

        var readPool = new CountingArrayPool();
        var readOptions = new ObjectPipelineOptions { DegreeOfParallelism = workers, BufferPool = readPool };
        using ObjectKey key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);
        var reader = new ObjectReader(result.Manifest, key, store, readOptions, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var check = new CheckingStream(new GeneratedStream(size, 3));
        await reader.ReadAsync(check, ct);

        Assert.Equal(size, check.Checked);

        // Nothing is lost, so no parity buffers: one buffer per segment in the read-ahead window.
        Assert.InRange(readPool.Peak, 1, workers);
        Assert.Equal(0, readPool.Outstanding);
    }

    [Theory]
    [InlineData(1 << 20)]
    [InlineData(4 << 20)]
    [InlineData(8 << 20)]
    [InlineData(64 << 20)]
    public void A_transfer_holds_no_more_segments_than_its_budget_whatever_the_machine(int segment)
    {
        int workers = ObjectPipelineOptions.TransferWorkersFor(segment);

        // About three segment buffers per worker (one being filled, one queued, one sealed with its parity).
        Assert.InRange(workers, 1, 8);
        Assert.True(
            workers == 1 || 3L * segment * workers <= ObjectPipelineOptions.TransferBudget,
            $"{workers} workers of {segment >> 20} MiB segments hold more than {ObjectPipelineOptions.TransferBudget >> 20} MiB");
        Assert.True(workers >= Math.Min(4, ObjectPipelineOptions.TransferBudget / (3L * segment)), $"only {workers} workers for {segment >> 20} MiB segments");
    }

    /// <summary>Compares what is written with the generated content, without keeping it.</summary>
    private sealed class CheckingStream(GeneratedStream expected) : Stream
    {
        public long Checked { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Checked;

        public override long Position
        {
            get => Checked;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            for (int i = 0; i < buffer.Length; i += 4099)
            {
                Assert.Equal(expected.ByteAt(Checked + i), buffer[i]);
            }

            Checked += buffer.Length;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
