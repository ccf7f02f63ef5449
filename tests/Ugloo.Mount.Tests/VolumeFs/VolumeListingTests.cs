using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// Listings of a directory with many entries (readdirplus answers every entry's attributes from one catalog
/// query): each file shows its own size and mode after creates, chmod, rename and unlink, while its content
/// is still queued and after it was recorded, and after a remount; unlinks keep history.
/// </summary>
[Collection(ClusterTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class VolumeListingTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private const int Count = 300;

    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public VolumeListingTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task A_big_listing_shows_each_files_size_and_mode_after_create_chmod_rename_unlink_and_remount()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var expected = new SortedDictionary<string, (long Size, string Mode)>(StringComparer.Ordinal);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("many"));
            for (int i = 0; i < Count; i++)
            {
                string name = $"f{i:D3}";
                await File.WriteAllBytesAsync(mount.PathOf("many/" + name), new byte[i * 7], ct);
                expected[name] = (i * 7, "-rw-r--r--");
            }

            // Half of them reach the swarm before the changes below, half are still queued or just recorded.
            await mount.SettleAsync();
            for (int i = 0; i < Count; i += 10)
            {
                File.SetUnixFileMode(mount.PathOf($"many/f{i:D3}"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                expected[$"f{i:D3}"] = (i * 7, "-rw-------");
            }

            for (int i = 1; i < Count; i += 10)
            {
                File.Move(mount.PathOf($"many/f{i:D3}"), mount.PathOf($"many/r{i:D3}"));
                expected[$"r{i:D3}"] = expected[$"f{i:D3}"];
                expected.Remove($"f{i:D3}");
            }

            for (int i = 2; i < Count; i += 10)
            {
                File.Delete(mount.PathOf($"many/f{i:D3}"));
                expected.Remove($"f{i:D3}");
            }

            // Rewritten with new sizes: the listing must show the new content's size, not the recorded one.
            for (int i = 3; i < Count; i += 10)
            {
                await File.WriteAllBytesAsync(mount.PathOf($"many/f{i:D3}"), new byte[(i * 7) + 5], ct);
                expected[$"f{i:D3}"] = ((i * 7) + 5, "-rw-r--r--");
            }

            Assert.Equal(expected, await ListAsync(mount.PathOf("many")));
            await mount.SettleAsync();
            Assert.Equal(expected, await ListAsync(mount.PathOf("many")));
        }

        // A file put by another process appears in the next listing.
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("put", new byte[12345]), "/many/p000")).ExitCode);
        expected["p000"] = (12345, "-rw-r--r--");
        await using (VolumeTestMount remounted = await VolumeTestMount.StartAsync(_cluster))
        {
            Assert.Equal(expected, await ListAsync(remounted.PathOf("many")));
            Assert.Equal(7 * 5, new FileInfo(remounted.PathOf("many/f005")).Length);
            Assert.False(File.Exists(remounted.PathOf("many/f012")));
        }

        // Unlinked files keep their history: the deleted file's version is still there.
        (int exit, string versions, string error) = await _cluster.RunAsync(ct, "versions", "/many/f012");
        Assert.True(exit == 0, error);
        Assert.Contains("deleted", versions, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Lookups_tell_files_implied_directories_and_missing_names_apart()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("deep", [1, 2, 3]), "/probe/a/b/deep.bin")).ExitCode);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("probe/x/y"));

        Assert.True(Directory.Exists(mount.PathOf("probe/a")));
        Assert.True(Directory.Exists(mount.PathOf("probe/a/b")));
        Assert.True(File.Exists(mount.PathOf("probe/a/b/deep.bin")));
        Assert.False(File.Exists(mount.PathOf("probe/a/b/deep")));
        Assert.False(Directory.Exists(mount.PathOf("probe/a/b/deep.bin/c")));
        Assert.True(Directory.Exists(mount.PathOf("probe/x")));
        Assert.False(File.Exists(mount.PathOf("probe/a/missing")));

        // A deleted file is gone for lookups, and its name can be made again at once.
        File.Delete(mount.PathOf("probe/a/b/deep.bin"));
        Assert.False(File.Exists(mount.PathOf("probe/a/b/deep.bin")));
        Assert.True(Directory.Exists(mount.PathOf("probe/a/b")));
        await File.WriteAllTextAsync(mount.PathOf("probe/a/b/deep.bin"), "again", ct);
        Assert.Equal("again", await File.ReadAllTextAsync(mount.PathOf("probe/a/b/deep.bin"), ct));
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Name, size and mode of every entry, as <c>ls -ln</c> (readdirplus, then stat of each) shows them.</summary>
    private static async Task<SortedDictionary<string, (long Size, string Mode)>> ListAsync(string directory)
    {
        (int exit, string output, string error) = await ExternalTool.RunAsync("ls", "-ln", directory);
        Assert.True(exit == 0, error);
        var listed = new SortedDictionary<string, (long Size, string Mode)>(StringComparer.Ordinal);
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            listed[fields[^1]] = (long.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture), fields[0]);
        }

        return listed;
    }
}
