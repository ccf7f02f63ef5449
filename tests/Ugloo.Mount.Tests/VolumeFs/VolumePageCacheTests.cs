using Ugloo.Mount.Tests.Cluster;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// A file written through the mount is read back from the kernel's page cache once the journal recorded it
/// (no fetch from the nodes), and never when the version changed meanwhile by another process.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumePageCacheTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public VolumePageCacheTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task A_file_written_here_reads_back_after_its_upload_without_fetching_from_the_nodes()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(3 * 4096, seed: 41);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        await File.WriteAllBytesAsync(mount.PathOf("cached.bin"), content, ct);
        await mount.SettleAsync();

        long misses = mount.Segments.Misses;
        long hits = mount.Segments.Hits;
        Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("cached.bin"), ct));
        Assert.Equal((misses, hits), (mount.Segments.Misses, mount.Segments.Hits));
    }

    [Fact]
    public async Task A_version_put_by_another_process_after_the_upload_is_what_the_mount_reads()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] mine = TestFiles.RandomBytes(4096, seed: 42);
        byte[] theirs = TestFiles.RandomBytes(4096, seed: 43);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        await File.WriteAllBytesAsync(mount.PathOf("replaced.bin"), mine, ct);
        await mount.SettleAsync();

        // Same size: only the version tells the page cache is stale.
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("theirs", theirs), "/replaced.bin")).ExitCode);
        Assert.Equal(theirs, await File.ReadAllBytesAsync(mount.PathOf("replaced.bin"), ct));

        // The kernel keeps names and attributes of the live tree for 30 s; another process's version is pushed
        // out of that cache within a quarter second. Two stats first, so the kernel holds the attributes (a read
        // marks them stale: atime).
        Assert.Equal(theirs.Length, new FileInfo(mount.PathOf("replaced.bin")).Length);
        Assert.Equal(theirs.Length, new FileInfo(mount.PathOf("replaced.bin")).Length);
        byte[] longer = TestFiles.RandomBytes(10_000, seed: 44);
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("longer", longer), "/replaced.bin")).ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        Assert.Equal(longer.Length, new FileInfo(mount.PathOf("replaced.bin")).Length);
        Assert.Equal(longer, await File.ReadAllBytesAsync(mount.PathOf("replaced.bin"), ct));
    }

    public void Dispose() => _files.Dispose();
}
