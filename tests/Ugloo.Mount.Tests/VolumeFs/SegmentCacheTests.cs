using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Objects;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>The local cache of decrypted segments on its own: bound, eviction order, damage, restart.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SegmentCacheTests : IDisposable
{
    private const int Length = 1000;
    private const int FileSize = Length + 16;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ugloo-segcache-" + Guid.NewGuid().ToString("N"), "cache");

    [Fact]
    public void A_segment_put_reads_back_also_after_a_restart_and_the_directory_is_owner_only()
    {
        ObjectId id = ObjectId.New();
        byte[] data = TestFiles.RandomBytes(Length, seed: 1);
        new SegmentCache(_directory, new SegmentCacheOptions(), NullLogger.Instance).Put(id, 3, data);

        var cache = new SegmentCache(_directory, new SegmentCacheOptions(), NullLogger.Instance);
        byte[] read = new byte[Length];
        Assert.True(cache.TryRead(id, 3, read));
        Assert.Equal(data, read);
        Assert.False(cache.TryRead(id, 4, read));
        Assert.Equal((1, 1), (cache.Hits, cache.Misses));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
        Assert.All(Directory.GetFiles(_directory), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task Segments_added_faster_than_the_disk_takes_them_are_served_from_memory_and_the_rest_reach_the_disk()
    {
        // 64 segments of 1 MiB added in a loop, far faster than one thread writes 1 MiB files: the writer takes
        // at most MaxBackgroundWrites at once and the rest stay in memory only. Every one still reads back right,
        // and what was written is there after a restart.
        const int Count = 64;
        const int SegmentLength = 1 << 20;
        ObjectManifest manifest = Manifest(Count, SegmentLength);
        byte[][] segments = [.. Enumerable.Range(0, Count).Select(i => TestFiles.RandomBytes(SegmentLength, seed: 100 + i))];
        long skipped;
        using (var cache = new SegmentCache(_directory, new SegmentCacheOptions { MemoryBytes = 128L << 20 }, NullLogger.Instance))
        {
            for (int i = 0; i < Count; i++)
            {
                cache.Add(manifest, i, SegmentBuffer.Unpooled(segments[i]));
            }

            await cache.FlushAsync().WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            skipped = cache.SkippedWrites;

            // Depends on timing only in the way a disk is slower than a loop: the loop adds a segment in well
            // under a microsecond (nothing is copied) and a 1 MiB direct write takes a hundred or more.
            Assert.InRange(skipped, 1, Count - 1);
            Assert.Equal(Count - skipped, cache.Count);
            for (int i = 0; i < Count; i++)
            {
                SegmentBuffer? got = cache.TryGet(manifest, i);
                Assert.NotNull(got);
                Assert.Equal(segments[i], got.Array);
                got.Release();
            }
        }

        using var restarted = new SegmentCache(_directory, new SegmentCacheOptions(), NullLogger.Instance);
        Assert.Equal(Count - skipped, restarted.Count);
        byte[] read = new byte[SegmentLength];
        int found = 0;
        for (int i = 0; i < Count; i++)
        {
            if (restarted.TryRead(manifest, i, read))
            {
                Assert.Equal(segments[i], read);
                found++;
            }
        }

        Assert.Equal(Count - skipped, found);
        Assert.Equal(0, restarted.Corrupt);
    }

    // The files are written with O_DIRECT through an aligned buffer of AlignedBuffer.Size bytes: lengths on and
    // around the block and buffer boundaries (the 16-byte hash comes first), the old default 4 MiB segment and
    // the default 8 MiB one.
    [Theory]
    [InlineData(1)]
    [InlineData(4080)]
    [InlineData(4081)]
    [InlineData(Ugloo.Engine.Storage.AlignedBuffer.Size - 16)]
    [InlineData(Ugloo.Engine.Storage.AlignedBuffer.Size - 15)]
    [InlineData(4 << 20)]
    [InlineData((4 << 20) + 17)]
    [InlineData(8 << 20)]
    public void A_segment_of_any_length_is_written_whole_and_exactly_as_long(int length)
    {
        ObjectId id = ObjectId.New();
        byte[] data = TestFiles.RandomBytes(length, seed: length);
        var writer = new SegmentCache(_directory, new SegmentCacheOptions(), NullLogger.Instance);
        writer.Put(id, 0, data);

        // The direct path ran wherever this temp directory takes O_DIRECT (ext4 here and in CI).
        string probe = Path.Combine(_directory, "probe");
        using (Microsoft.Win32.SafeHandles.SafeFileHandle? handle = Ugloo.Engine.Storage.DirectFile.TryCreate(probe))
        {
            Assert.Equal(handle is null ? 0 : 1, writer.DirectWrites);
        }

        File.Delete(probe);
        Assert.Equal(length + 16, new FileInfo(Assert.Single(Directory.GetFiles(_directory))).Length);
        var cache = new SegmentCache(_directory, new SegmentCacheOptions(), NullLogger.Instance);
        byte[] read = new byte[length];
        Assert.True(cache.TryRead(id, 0, read));
        Assert.Equal(data, read);
    }

    [Fact]
    public void Eviction_keeps_the_size_bound_and_drops_the_least_recently_used_first()
    {
        var cache = new SegmentCache(_directory, new SegmentCacheOptions { MaxBytes = 3 * FileSize }, NullLogger.Instance);
        ObjectId id = ObjectId.New();
        byte[] buffer = new byte[Length];
        for (int i = 0; i < 3; i++)
        {
            cache.Put(id, i, TestFiles.RandomBytes(Length, seed: i));
        }

        Assert.True(cache.TryRead(id, 0, buffer)); // 0 becomes the most recent; 1 is now the oldest
        for (int i = 3; i < 6; i++)
        {
            cache.Put(id, i, TestFiles.RandomBytes(Length, seed: i));
            Assert.True(cache.Bytes <= 3 * FileSize);
        }

        Assert.Equal(3, cache.Count);
        Assert.Equal(3, Directory.GetFiles(_directory).Length);
        Assert.False(cache.TryRead(id, 1, buffer));
        Assert.True(cache.TryRead(id, 5, buffer));
        Assert.Equal(TestFiles.RandomBytes(Length, seed: 5), buffer);

        // A restart with a smaller bound trims what is kept to the new bound.
        var smaller = new SegmentCache(_directory, new SegmentCacheOptions { MaxBytes = FileSize }, NullLogger.Instance);
        Assert.Equal(1, smaller.Count);
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Theory]
    [InlineData("flip")]
    [InlineData("truncate")]
    public void A_damaged_cache_file_is_not_served_and_is_deleted(string damage)
    {
        var cache = new SegmentCache(_directory, new SegmentCacheOptions(), NullLogger.Instance);
        ObjectId id = ObjectId.New();
        cache.Put(id, 0, TestFiles.RandomBytes(Length, seed: 7));
        string file = Assert.Single(Directory.GetFiles(_directory));
        byte[] bytes = File.ReadAllBytes(file);
        if (damage == "flip")
        {
            bytes[500] ^= 1;
            File.WriteAllBytes(file, bytes);
        }
        else
        {
            File.WriteAllBytes(file, bytes[..^10]);
        }

        byte[] read = new byte[Length];
        Assert.False(cache.TryRead(id, 0, read));
        Assert.Equal(1, cache.Corrupt);
        Assert.False(File.Exists(file));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Concurrent_readers_and_writers_only_ever_see_whole_verified_segments()
    {
        var cache = new SegmentCache(_directory, new SegmentCacheOptions { MaxBytes = 8 * FileSize }, NullLogger.Instance);
        ObjectId id = ObjectId.New();
        Parallel.For(0, 4000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int segment = i % 20;
            byte[] expected = TestFiles.RandomBytes(Length, seed: segment);
            byte[] read = new byte[Length];
            if (cache.TryRead(id, segment, read))
            {
                Assert.Equal(expected, read);
            }
            else
            {
                cache.Put(id, segment, expected);
            }
        });

        Assert.Equal(0, cache.Corrupt);
        Assert.True(cache.Bytes <= 8 * FileSize);
        Assert.Equal(cache.Count, Directory.GetFiles(_directory).Length);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);

    private static ObjectManifest Manifest(int segments, int segmentSize)
    {
        FragmentId[] ids = [.. Enumerable.Range(0, segments * 3).Select(i => FragmentId.Compute(BitConverter.GetBytes(i)))];
        return new ObjectManifest(ObjectId.New(), Ugloo.Engine.Crypto.CipherSuite.Aes256Gcm, (long)segments * segmentSize, segmentSize, 2, 1, 64, ids);
    }
}
