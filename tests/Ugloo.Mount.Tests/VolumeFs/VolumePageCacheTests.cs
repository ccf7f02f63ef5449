using Microsoft.Win32.SafeHandles;
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
        // Written write-only, the bytes bypass the kernel's page cache; the pack they were stored in is kept in
        // the segment cache instead, so reading them back fetches nothing (and a second read hits the page cache).
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(3 * 4096, seed: 41);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        await File.WriteAllBytesAsync(mount.PathOf("cached.bin"), content, ct);
        await mount.SettleAsync();

        long misses = mount.Segments.Misses;
        Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("cached.bin"), ct));
        Assert.Equal(misses, mount.Segments.Misses);
        long hits = mount.Segments.Hits;
        Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("cached.bin"), ct));
        Assert.Equal((misses, hits), (mount.Segments.Misses, mount.Segments.Hits));
    }

    [Fact]
    public async Task A_file_changed_through_a_cached_handle_reads_back_from_the_page_cache_after_its_upload()
    {
        // A read-write open of a file with content is not write-mostly: its writes go through the page cache, which
        // the next open keeps once the journal recorded what was written. (The first read puts the content there:
        // it was written write-only, past the page cache.)
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(3 * 4096, seed: 46);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        string path = mount.PathOf("edited.bin");
        await File.WriteAllBytesAsync(path, content, ct);
        await mount.SettleAsync();
        Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
        {
            stream.Position = 4096;
            stream.Write("edited"u8);
        }

        "edited"u8.CopyTo(content.AsSpan(4096));
        await mount.SettleAsync();
        long misses = mount.Segments.Misses;
        long hits = mount.Segments.Hits;
        Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));
        Assert.Equal((misses, hits), (mount.Segments.Misses, mount.Segments.Hits));
    }

    [Fact]
    public async Task A_new_file_written_past_the_page_cache_still_reads_maps_and_updates_cached_readers()
    {
        // A new file opened read-write and any write-only handle bypass the kernel's page cache (FOPEN_DIRECT_IO):
        // reads through such a handle reach the daemon at any offset, a shared map of it works (the kernel allows
        // one because the mount asked for FUSE_DIRECT_IO_ALLOW_MMAP), and a reader that cached pages of the file
        // sees what a write through such a handle changed.
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(10_000, seed: 45);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        string path = mount.PathOf("direct.bin");
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0))
        {
            stream.Write(content);
            byte[] middle = new byte[7];
            stream.Position = 4093;
            stream.ReadExactly(middle);
            Assert.Equal(content.AsSpan(4093, 7).ToArray(), middle);

            using (var map = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(
                stream, null, content.Length, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true))
            using (System.IO.MemoryMappedFiles.MemoryMappedViewAccessor view = map.CreateViewAccessor())
            {
                Assert.Equal(content[9_999], view.ReadByte(9_999));
                view.WriteArray(100, "hello"u8.ToArray(), 0, 5);
                view.Flush();
            }

            "hello"u8.CopyTo(content.AsSpan(100));
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(path, ct));

        // Recorded first, so that both opens below keep the page cache (an open of content still queued drops it):
        // only the dropping of the range a direct write changed keeps the reader's cached page true.
        await mount.SettleAsync();
        using SafeFileHandle reader = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        byte[] seen = new byte[5];
        Assert.Equal(5, RandomAccess.Read(reader, seen, 200));
        Assert.Equal(content.AsSpan(200, 5).ToArray(), seen);
        using (SafeFileHandle writer = File.OpenHandle(path, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(writer, "ZZZZZ"u8, 200);
        }

        Assert.Equal(5, RandomAccess.Read(reader, seen, 200));
        Assert.Equal("ZZZZZ"u8.ToArray(), seen);
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
