using System.Globalization;
using System.Text;
using System.Text.Json;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// History and the write-back journal as a user meets them: every save stays reachable under /.ugloo, the
/// tree at a past instant is browsable, nothing there can be changed, and the CLI lists and restores versions.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumeHistoryTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public VolumeHistoryTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task The_tree_at_an_instant_shows_a_file_closed_by_then_though_its_upload_ended_later()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("late"));
        await File.WriteAllTextAsync(mount.PathOf("late/doc.txt"), "old", ct);
        await mount.SettleAsync();
        IReadOnlyList<int> nodes = _cluster.NodeProcesses();
        DateTimeOffset closed;
        string at;
        try
        {
            // Every node frozen: the closes are journaled, their uploads wait.
            foreach (int pid in nodes)
            {
                Signal.Send(pid, Signal.Stop);
            }

            await File.WriteAllTextAsync(mount.PathOf("late/queued.txt"), "closed before its upload", ct);
            await File.WriteAllTextAsync(mount.PathOf("late/doc.txt"), "newer", ct);
            closed = DateTimeOffset.UtcNow;
            await Task.Delay(500, ct);
            at = closed.AddMilliseconds(100).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

            // Looked at before the upload: the recorded past (3 bytes; its size, since reading it would need the
            // frozen nodes), which the kernel then caches.
            Assert.Equal(3, new FileInfo(mount.PathOf($".ugloo/at/{at}/late/doc.txt")).Length);
            await Task.Delay(1000, ct);
        }
        finally
        {
            foreach (int pid in nodes)
            {
                Signal.Send(pid, Signal.Continue);
            }
        }

        await mount.SettleAsync();
        Assert.Equal("closed before its upload", await File.ReadAllTextAsync(mount.PathOf($".ugloo/at/{at}/late/queued.txt"), ct));

        // Once recorded, the same instant shows the new content: the kernel kept that view for a second only.
        await Task.Delay(1100, ct);
        Assert.Equal("newer", await File.ReadAllTextAsync(mount.PathOf($".ugloo/at/{at}/late/doc.txt"), ct));
    }

    [Fact]
    public async Task The_editor_pattern_keeps_every_saved_version_in_the_history_tree()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string[] saves = ["draft one", "draft two, longer", "final"];
        var savedAt = new List<DateTimeOffset>();
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("editor"));
        foreach (string content in saves)
        {
            // What editors do: write a temporary file, fsync it, rename it over the document.
            string temp = mount.PathOf("editor/.doc.txt.swp");
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, mount.PathOf("editor/doc.txt"), overwrite: true);
            savedAt.Add(DateTimeOffset.UtcNow);
            await Task.Delay(20, ct); // distinct millisecond timestamps for the at/ lookups below
        }

        Assert.Equal("final", await File.ReadAllTextAsync(mount.PathOf("editor/doc.txt"), ct));
        string history = mount.PathOf(".ugloo/history/editor/doc.txt");
        string[] versions = [.. Directory.GetFiles(history).Order(StringComparer.Ordinal)];
        Assert.Equal(saves, versions.Select(File.ReadAllText));

        // The tree as it was just after the first save.
        string at = savedAt[0].UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        Assert.Equal("draft one", await File.ReadAllTextAsync(mount.PathOf($".ugloo/at/{at}/editor/doc.txt"), ct));
        Assert.DoesNotContain(".doc.txt.swp", Directory.GetFiles(mount.PathOf($".ugloo/at/{at}/editor")).Select(Path.GetFileName));

        // /.ugloo is reachable by name but not listed, so cp -a and find of the mount do not walk history.
        Assert.DoesNotContain(".ugloo", Directory.GetFileSystemEntries(mount.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Nothing_in_the_history_tree_can_be_changed()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        await File.WriteAllTextAsync(mount.PathOf("ro.txt"), "kept", ct);
        await mount.SettleAsync();
        string version = Assert.Single(Directory.GetFiles(mount.PathOf(".ugloo/history/ro.txt")));

        foreach (string[] command in new[]
        {
            new[] { "sh", "-c", $"echo x > '{version}'" },
            ["sh", "-c", $"echo x > '{mount.PathOf(".ugloo/history/ro.txt/new")}'"],
            ["rm", "-f", version],
            ["mkdir", mount.PathOf(".ugloo/history/dir")],
            ["chmod", "777", version],
            ["mv", version, mount.PathOf("moved.txt")],
            ["touch", mount.PathOf(".ugloo/at/2026-01-01/new")],
        })
        {
            (int exit, _, string error) = await ExternalTool.RunAsync(command[0], command[1..]);
            Assert.True(exit != 0, $"{string.Join(' ', command)} succeeded in the history tree");
            Assert.Contains("Read-only file system", error);
        }

        Assert.Equal("kept", await File.ReadAllTextAsync(version, ct));
        Assert.False(File.Exists(mount.PathOf("moved.txt")));
    }

    [Fact]
    public async Task A_closed_file_is_pending_until_the_journal_stores_it_then_durable()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        IReadOnlyList<int> nodes = _cluster.NodeProcesses();
        try
        {
            // Every node frozen, so the upload cannot have finished when the state is read.
            foreach (int pid in nodes)
            {
                Signal.Send(pid, Signal.Stop);
            }

            await File.WriteAllBytesAsync(mount.PathOf("state.bin"), TestFiles.RandomBytes(3 * SmallSegmentCluster.SegmentSize, seed: 31), ct);
            Assert.Equal("pending", ReadXattr(mount.PathOf("state.bin"), "user.ugloo.state"));
            Assert.Equal($"1 {3 * SmallSegmentCluster.SegmentSize}", ReadXattr(mount.Root, "user.ugloo.pending"));
        }
        finally
        {
            foreach (int pid in nodes)
            {
                Signal.Send(pid, Signal.Continue);
            }
        }

        await mount.SettleAsync();
        Assert.StartsWith("durable: all 6 fragments of each of ", ReadXattr(mount.PathOf("state.bin"), "user.ugloo.state"), StringComparison.Ordinal);
        Assert.Equal("0 0", ReadXattr(mount.Root, "user.ugloo.pending"));
    }

    [Fact]
    public async Task Ugloo_versions_lists_and_ugloo_restore_brings_back_an_old_version_without_copying()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("restore/sub"));
            await File.WriteAllTextAsync(mount.PathOf("restore/a.txt"), "a1", ct);
            await File.WriteAllTextAsync(mount.PathOf("restore/sub/b.txt"), "b1", ct);
            await mount.SettleAsync();
            await Task.Delay(20, ct);
        }

        DateTimeOffset before = DateTimeOffset.UtcNow;
        await Task.Delay(20, ct);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            await File.WriteAllTextAsync(mount.PathOf("restore/a.txt"), "a2", ct);
            File.Delete(mount.PathOf("restore/sub/b.txt"));
        }

        (int exit, string stdout, string stderr) = await _cluster.RunAsync(ct, "versions", "/restore/a.txt", "--json");
        Assert.True(exit == 0, stderr);
        using (JsonDocument json = JsonDocument.Parse(stdout))
        {
            Assert.Equal([1, 2], json.RootElement.EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));
            Assert.All(json.RootElement.EnumerateArray(), v => Assert.EndsWith("_v" + v.GetProperty("id").GetInt64(), v.GetProperty("history_name").GetString(), StringComparison.Ordinal));
        }

        (exit, _, stderr) = await _cluster.RunAsync(ct, "restore", "/restore/a.txt", "--version", "1");
        Assert.True(exit == 0, stderr);
        string at = before.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        (exit, _, stderr) = await _cluster.RunAsync(ct, "restore", "/restore", "--at", at, "--to", "/restored");
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = await _cluster.RunAsync(ct, "restore", "/restore/never", "--at", at);
        Assert.Equal(1, exit);
        Assert.Contains("did not exist", stderr);

        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Assert.Equal("a1", await File.ReadAllTextAsync(mount.PathOf("restore/a.txt"), ct));
            Assert.False(File.Exists(mount.PathOf("restore/sub/b.txt")));
            Assert.Equal("a1", await File.ReadAllTextAsync(mount.PathOf("restored/a.txt"), ct));
            Assert.Equal("b1", await File.ReadAllTextAsync(mount.PathOf("restored/sub/b.txt"), ct));
            Assert.Equal(3, Directory.GetFiles(mount.PathOf(".ugloo/history/restore/a.txt")).Length);
        }
    }

    [Fact]
    public async Task User_xattrs_are_kept_follow_a_rename_and_survive_a_remount()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            string file = mount.PathOf("tagged.txt");
            await File.WriteAllTextAsync(file, "x", ct);
            Assert.Equal(0, TestLibC.SetXattr(file, "user.color", "blue"u8.ToArray(), 3, 0));
            Assert.Equal(0, TestLibC.SetXattr(file, "user.color", "green"u8.ToArray(), 5, 2)); // XATTR_REPLACE
            Assert.NotEqual(0, TestLibC.SetXattr(file, "user.color", "red"u8.ToArray(), 3, 1)); // XATTR_CREATE: exists
            Assert.NotEqual(0, TestLibC.SetXattr(file, "security.selinux", "x"u8.ToArray(), 1, 0)); // not ours to keep
            Assert.Equal(-1, (int)TestLibC.GetXattr(file, "system.posix_acl_access", new byte[64], 64));
            Assert.Equal(95, TestLibC.Errno); // EOPNOTSUPP, as for set: ls -l then asks no other file
            Assert.NotEqual(0, TestLibC.SetXattr(file, "user.ugloo.state", "forged"u8.ToArray(), 6, 0));
            File.Move(file, mount.PathOf("renamed.txt"));
        }

        await using (VolumeTestMount again = await VolumeTestMount.StartAsync(_cluster))
        {
            string file = again.PathOf("renamed.txt");
            Assert.Equal("green", ReadXattr(file, "user.color"));
            byte[] names = new byte[256];
            nint length = TestLibC.ListXattr(file, names, (nuint)names.Length);
            Assert.Equal("user.color\0", Encoding.UTF8.GetString(names, 0, (int)length));
            Assert.Equal(0, TestLibC.RemoveXattr(file, "user.color"));
            Assert.True(TestLibC.GetXattr(file, "user.color", new byte[16], 16) < 0);
        }
    }

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task A_directory_removed_or_moved_since_is_in_the_tree_as_it_was()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        Directory.CreateDirectory(mount.PathOf("rm-later/empty"));
        Directory.CreateDirectory(mount.PathOf("mv-later/inner"));
        await Task.Delay(20, ct);
        string at = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        await Task.Delay(20, ct);
        Directory.Delete(mount.PathOf("rm-later/empty"));
        Directory.Move(mount.PathOf("mv-later"), mount.PathOf("moved"));

        Assert.False(Directory.Exists(mount.PathOf("rm-later/empty")));
        Assert.True(Directory.Exists(mount.PathOf($".ugloo/at/{at}/rm-later/empty")));
        Assert.True(Directory.Exists(mount.PathOf($".ugloo/at/{at}/mv-later/inner")));
        Assert.False(Directory.Exists(mount.PathOf($".ugloo/at/{at}/moved")));
        Assert.True(Directory.Exists(mount.PathOf("moved/inner")));
    }

    private static string ReadXattr(string path, string name)
    {
        byte[] buffer = new byte[256];
        nint length = TestLibC.GetXattr(path, name, buffer, (nuint)buffer.Length);
        Assert.True(length >= 0, $"getxattr {name} on {path} failed");
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }
}
