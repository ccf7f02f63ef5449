using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>Reads through the mount go through the segment cache: a file is fetched from the nodes once.</summary>
[Collection(ClusterTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SegmentCacheMountTests : IClassFixture<SmallSegmentCluster>
{
    private const int Segment = SmallSegmentCluster.SegmentSize;

    private readonly RunningCluster _cluster;

    public SegmentCacheMountTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task A_file_read_twice_is_fetched_from_the_nodes_once_and_a_damaged_cache_file_is_refetched()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((3 * Segment) + 99, seed: 41);
        string cacheDirectory = VolumeSession.CacheDirectory(_cluster.DataDirectory);
        HashSet<string> before;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            await File.WriteAllBytesAsync(mount.PathOf("cached.bin"), content, ct);
            await mount.SettleAsync();
            before = [.. Directory.GetFiles(cacheDirectory)];

            // The version through history: another inode, so the kernel's pages of the write do not answer.
            string version = Assert.Single(Directory.GetFiles(mount.PathOf(".ugloo/history/cached.bin")));
            long misses = mount.Segments.Misses;
            Assert.Equal(content, await File.ReadAllBytesAsync(version, ct));
            Assert.Equal(4, mount.Segments.Misses - misses);
        }

        // This object's four segments are now on disk, owner-only.
        string[] added = [.. Directory.GetFiles(cacheDirectory).Where(f => !before.Contains(f))];
        Assert.Equal(4, added.Length);
        Assert.All(added, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cacheDirectory));

        // A new mount (fresh kernel cache, new handles) reads the file from the cache: no fetch at all.
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("cached.bin"), ct));
            Assert.Equal((4L, 0L), (mount.Segments.Hits, mount.Segments.Misses));
        }

        // One cached segment damaged on disk: detected, fetched again, and the read is still right.
        byte[] damaged = File.ReadAllBytes(added[0]);
        damaged[^1] ^= 0xFF;
        File.WriteAllBytes(added[0], damaged);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("cached.bin"), ct));
            Assert.Equal((1L, 1L, 3L), (mount.Segments.Corrupt, mount.Segments.Misses, mount.Segments.Hits));
        }
    }

    [Fact]
    public async Task Two_readers_of_one_file_going_opposite_ways_read_it_right_while_the_segment_arrays_are_reused()
    {
        // A memory tier of two segments drops segments all the time, so their arrays go back to the pool and
        // are lent again while other segments are still held by the tier, the disk writer, a handle or a fetch
        // ahead. One reader goes front to back through the live file, the other back to front through the same
        // version in history (another inode: the kernel's pages of one do not answer the other).
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int Segments = 12;
        byte[] content = TestFiles.RandomBytes(Segments * Segment, seed: 45);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            await File.WriteAllBytesAsync(mount.PathOf("pooled.bin"), content, ct);
            await mount.SettleAsync();
        }

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster, new SegmentCacheOptions { MemoryBytes = 2 * Segment }))
        {
            string version = Assert.Single(Directory.GetFiles(mount.PathOf(".ugloo/history/pooled.bin")));
            for (int round = 0; round < 3; round++)
            {
                Task forward = Task.Run(() => ReadChunks(mount.PathOf("pooled.bin"), content, reverse: false), ct);
                Task backward = Task.Run(() => ReadChunks(version, content, reverse: true), ct);
                await Task.WhenAll(forward, backward);

                // Fresh kernel pages for the next round: what was read is dropped from the kernel's cache. Without
                // that the history file (FOPEN_KEEP_CACHE) and the live one (within its attribute TTL) would be
                // answered from the kernel's pages and rounds two and three would never reach the daemon.
                File.WriteAllText("/proc/sys/vm/drop_caches", "1");
            }

            (long rented, long reused) = mount.Segments.Buffers.Statistics;
            Assert.True(reused > 0, $"{reused} of {rented} segment arrays reused");
        }
    }

    private static void ReadChunks(string path, byte[] expected, bool reverse)
    {
        const int Chunk = 16 * 1024;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        byte[] read = new byte[Chunk];
        int chunks = expected.Length / Chunk;
        for (int i = 0; i < chunks; i++)
        {
            int index = reverse ? chunks - 1 - i : i;
            file.Position = (long)index * Chunk;
            file.ReadExactly(read);
            if (!read.AsSpan().SequenceEqual(expected.AsSpan(index * Chunk, Chunk)))
            {
                Assert.Fail($"{path}: bytes {index * Chunk}..{(index + 1) * Chunk} differ from what was written");
            }
        }
    }

    [Fact]
    public async Task The_cache_on_disk_stays_within_cache_size_and_0_turns_it_off()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] big = TestFiles.RandomBytes((10 * Segment) + 5, seed: 43);
        byte[] other = TestFiles.RandomBytes(3 * Segment, seed: 44);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            await File.WriteAllBytesAsync(mount.PathOf("bounded-big.bin"), big, ct);
            await File.WriteAllBytesAsync(mount.PathOf("bounded-other.bin"), other, ct);
            await mount.SettleAsync();
        }

        // Read with the default size first: the big file's eleven segments fill the cache past 300 KiB.
        const long Bound = 300 * 1024;
        string cacheDirectory = VolumeSession.CacheDirectory(_cluster.DataDirectory);
        using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct))
        {
            Assert.Equal(big, await File.ReadAllBytesAsync(daemon.PathOf("bounded-big.bin"), ct));
            Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(60), ct));
        }

        Assert.True(CacheBytes(cacheDirectory) > Bound, $"the cache holds only {CacheBytes(cacheDirectory)} bytes after reading {big.Length}");

        // 300 KiB holds four 64 KiB segments with their checksums: a mount started with it trims the directory at
        // once, and reading the big file again keeps it within the bound (the oldest go as new ones come).
        using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct, options: ["--cache-size", "300K"]))
        {
            Assert.InRange(CacheBytes(cacheDirectory), 1, Bound);
            Assert.Equal(big, await File.ReadAllBytesAsync(daemon.PathOf("bounded-big.bin"), ct));
            Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(60), ct));
        }

        FileInfo[] kept = new DirectoryInfo(cacheDirectory).GetFiles();
        Assert.InRange(CacheBytes(cacheDirectory), 1, Bound);

        using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct, options: ["--cache-size", "0"]))
        {
            Assert.Equal(other, await File.ReadAllBytesAsync(daemon.PathOf("bounded-other.bin"), ct));
            Assert.Equal(0, await daemon.TerminateAsync(TimeSpan.FromSeconds(60), ct));
        }

        Assert.Equal(
            kept.Select(f => (f.Name, f.Length)).Order(),
            new DirectoryInfo(cacheDirectory).GetFiles().Select(f => (f.Name, f.Length)).Order());
    }

    private static long CacheBytes(string directory) => new DirectoryInfo(directory).GetFiles().Sum(f => f.Length);
}
