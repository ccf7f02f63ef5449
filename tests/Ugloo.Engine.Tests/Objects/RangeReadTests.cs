using Ugloo.Engine.Crypto;
using Ugloo.Engine.Objects;
using static Ugloo.Engine.Tests.Objects.PipelineHarness;

namespace Ugloo.Engine.Tests.Objects;

public sealed class RangeReadTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 1)]
    [InlineData(1023, 2)]
    [InlineData(1024, 1024)]
    [InlineData(1000, 3000)]
    [InlineData(4095, 1)]
    [InlineData(0, 5000)]
    [InlineData(5000, 0)]
    [InlineData(4500, 500)]
    public async Task A_range_reads_exactly_its_bytes_and_touches_only_its_segments(long offset, long count)
    {
        byte[] content = RandomBytes(5000, 21);
        using Stored stored = await Stored.WriteAsync(content);
        ObjectReader reader = stored.Reader();

        var output = new MemoryStream();
        await reader.ReadRangeAsync(offset, count, output, TestContext.Current.CancellationToken);

        Assert.Equal(content.AsSpan((int)offset, (int)count).ToArray(), output.ToArray());
        var touched = stored.Store.FetchesPerSegment.Keys.Order().ToArray();
        int[] expected = count == 0
            ? []
            : Enumerable.Range((int)(offset / SmallSegment), (int)(((offset + count - 1) / SmallSegment) - (offset / SmallSegment)) + 1).ToArray();
        Assert.Equal(expected, touched);
    }

    [Fact]
    public async Task Read_at_behaves_like_a_file_read()
    {
        byte[] content = RandomBytes(3000, 22);
        using Stored stored = await Stored.WriteAsync(content);
        ObjectReader reader = stored.Reader();
        CancellationToken ct = TestContext.Current.CancellationToken;

        byte[] buffer = new byte[700];
        Assert.Equal(700, await reader.ReadAtAsync(1000, buffer, ct));
        Assert.Equal(content.AsSpan(1000, 700).ToArray(), buffer);

        Assert.Equal(200, await reader.ReadAtAsync(2800, buffer, ct));
        Assert.Equal(content.AsSpan(2800, 200).ToArray(), buffer.AsSpan(0, 200).ToArray());

        Assert.Equal(0, await reader.ReadAtAsync(3000, buffer, ct));
        Assert.Equal(0, await reader.ReadAtAsync(9999, buffer, ct));
    }

    [Fact]
    public async Task A_whole_segment_decrypts_into_the_callers_buffer_also_when_fragments_are_lost_or_corrupt()
    {
        byte[] content = RandomBytes(5000, 24);
        using Stored stored = await Stored.WriteAsync(content);
        stored.Store.Lose(new FragmentAddress(2, 0));
        stored.Store.FlipByte(new FragmentAddress(2, 3), 7);
        var pool = new CountingArrayPool();
        ObjectReader reader = stored.Reader(pool: pool);
        CancellationToken ct = TestContext.Current.CancellationToken;

        for (int segment = 0; segment < stored.Result.Manifest.SegmentCount; segment++)
        {
            byte[] plaintext = new byte[stored.Result.Manifest.PlaintextLength(segment)];
            await reader.ReadSegmentAsync(segment, plaintext, ct);
            Assert.Equal(content.AsSpan(segment * SmallSegment, plaintext.Length).ToArray(), plaintext);
        }

        // The last segment is the short one; every pooled buffer went back.
        Assert.Equal(5000 - (4 * SmallSegment), stored.Result.Manifest.PlaintextLength(4));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_whole_segment_that_fails_authentication_leaves_no_plaintext_and_no_rented_buffer()
    {
        using Stored stored = await Stored.WriteAsync(RandomBytes(3000, 26));
        var (other, _) = await WriteAsync(RandomBytes(3000, 27), stored.VolumeKey, Options());

        // Another object's key: every fragment matches its id, so only the AEAD can tell.
        using ObjectKey wrongKey = stored.VolumeKey.Unwrap(other.Manifest.ObjectId, other.WrappedKey);
        var pool = new CountingArrayPool();
        ObjectReader reader = stored.Reader(wrongKey, pool);
        byte[] plaintext = new byte[SmallSegment];
        Array.Fill(plaintext, (byte)0xEE);

        await Assert.ThrowsAsync<SegmentAuthenticationException>(() => reader.ReadSegmentAsync(1, plaintext, TestContext.Current.CancellationToken));
        Assert.All(plaintext, b => Assert.Equal(0, b));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task A_whole_segment_read_refuses_a_buffer_of_the_wrong_length_or_a_segment_past_the_end()
    {
        using Stored stored = await Stored.WriteAsync(RandomBytes(3000, 25));
        ObjectReader reader = stored.Reader();
        CancellationToken ct = TestContext.Current.CancellationToken;

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.ReadSegmentAsync(0, new byte[SmallSegment - 1], ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.ReadSegmentAsync(2, new byte[SmallSegment], ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.ReadSegmentAsync(3, new byte[SmallSegment], ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.ReadSegmentAsync(-1, new byte[SmallSegment], ct));
    }

    [Fact]
    public async Task A_range_past_the_end_is_refused()
    {
        using Stored stored = await Stored.WriteAsync(RandomBytes(100, 23));
        ObjectReader reader = stored.Reader();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => reader.ReadRangeAsync(50, 51, Stream.Null, TestContext.Current.CancellationToken));
    }

    /// <summary>One object written under a fresh volume key, its own key unwrapped, and readers over it.</summary>
    private sealed class Stored : IDisposable
    {
        private Stored(VolumeKey volumeKey, ObjectWriteResult result, MemoryFragmentStore store)
        {
            VolumeKey = volumeKey;
            Result = result;
            Store = store;
            Key = volumeKey.Unwrap(result.Manifest.ObjectId, result.WrappedKey);
        }

        public VolumeKey VolumeKey { get; }

        public ObjectWriteResult Result { get; }

        public MemoryFragmentStore Store { get; }

        public ObjectKey Key { get; }

        public static async Task<Stored> WriteAsync(byte[] content)
        {
            var volumeKey = VolumeKey.Generate();
            var (result, store) = await PipelineHarness.WriteAsync(content, volumeKey, Options());
            return new Stored(volumeKey, result, store);
        }

        /// <summary>A reader with <paramref name="key"/> (default: the object's own) and <paramref name="pool"/> for its buffers.</summary>
        public ObjectReader Reader(ObjectKey? key = null, System.Buffers.ArrayPool<byte>? pool = null) =>
            new(Result.Manifest, key ?? Key, Store, new ObjectPipelineOptions { BufferPool = pool ?? System.Buffers.ArrayPool<byte>.Shared }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        public void Dispose()
        {
            Key.Dispose();
            VolumeKey.Dispose();
        }
    }
}
