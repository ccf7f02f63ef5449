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
