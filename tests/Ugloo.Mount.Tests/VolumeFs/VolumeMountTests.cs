using System.Globalization;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// The volume mounted with FUSE over a real six-node cluster: what is written through the mount is what
/// <c>ugloo get/ls</c> see and the other way round, every committed write a new version.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumeMountTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private const int Segment = SmallSegmentCluster.SegmentSize;

    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public VolumeMountTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task A_file_written_through_the_mount_reads_back_through_the_mount_and_ugloo_get()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((3 * Segment) + 123, seed: 11);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            await File.WriteAllBytesAsync(mount.PathOf("data.bin"), content, ct);
            Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("data.bin"), ct));
            Assert.Equal(content.Length, new FileInfo(mount.PathOf("data.bin")).Length);
        }

        string copy = _files.PathOf("data.bin");
        (int exit, _, string stderr) = await _cluster.RunAsync(ct, "get", "/data.bin", copy);
        Assert.True(exit == 0, stderr);
        Assert.Equal(content, File.ReadAllBytes(copy));
    }

    [Fact]
    public async Task A_file_put_with_ugloo_is_visible_and_readable_in_the_mount()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((2 * Segment) + 7, seed: 12);
        Assert.Equal(0, (await _cluster.RunAsync(ct, "put", _files.Write("put", content), "/put/deep/file.bin")).ExitCode);
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);

        Assert.Contains("deep", Directory.GetDirectories(mount.PathOf("put")).Select(Path.GetFileName));
        Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("put/deep/file.bin"), ct));

        // A range in the middle, across a segment edge, through one open handle.
        using FileStream stream = File.OpenRead(mount.PathOf("put/deep/file.bin"));
        stream.Position = Segment - 10;
        byte[] middle = new byte[20];
        stream.ReadExactly(middle);
        Assert.Equal(content.AsSpan(Segment - 10, 20).ToArray(), middle);
    }

    [Fact]
    public async Task Mkdir_and_nested_files_are_listed_by_the_mount_and_by_ugloo_ls()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("tree/a/b"));
            Directory.CreateDirectory(mount.PathOf("tree/empty"));
            await File.WriteAllTextAsync(mount.PathOf("tree/a/one.txt"), "one", ct);
            await File.WriteAllTextAsync(mount.PathOf("tree/a/b/two.txt"), "two", ct);

            Assert.Equal(["a", "empty"], Directory.GetFileSystemEntries(mount.PathOf("tree")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal(["b", "one.txt"], Directory.GetFileSystemEntries(mount.PathOf("tree/a")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.Equal("two", await File.ReadAllTextAsync(mount.PathOf("tree/a/b/two.txt"), ct));

            (int lsExit, string ls, string lsErr) = await ExternalTool.RunAsync("ls", "-la", mount.PathOf("tree/a"));
            Assert.True(lsExit == 0, lsErr);
            Assert.Contains("one.txt", ls);

            // rmdir of a directory with files is ENOTEMPTY; of an empty one it works.
            Assert.ThrowsAny<IOException>(() => Directory.Delete(mount.PathOf("tree/a")));
            Directory.Delete(mount.PathOf("tree/empty"));
            Assert.False(Directory.Exists(mount.PathOf("tree/empty")));
        }

        (int exit, string stdout, string stderr) = await _cluster.RunAsync(ct, "ls", "/tree/a");
        Assert.True(exit == 0, stderr);
        Assert.Contains("one.txt", stdout);
        Assert.Contains("b", stdout);
    }

    [Fact]
    public async Task Overwriting_a_file_adds_a_second_version()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] second = TestFiles.RandomBytes(Segment + 5, seed: 14);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            await File.WriteAllTextAsync(mount.PathOf("over.txt"), "first version", ct);
            await File.WriteAllBytesAsync(mount.PathOf("over.txt"), second, ct);
            Assert.Equal(second, await File.ReadAllBytesAsync(mount.PathOf("over.txt"), ct));

            // An append copies the newest version down and commits a third.
            await File.AppendAllTextAsync(mount.PathOf("over.txt"), "tail", ct);
            byte[] appended = await File.ReadAllBytesAsync(mount.PathOf("over.txt"), ct);
            Assert.Equal([.. second, .. "tail"u8.ToArray()], appended);
        }

        (int exit, string stdout, string stderr) = await _cluster.RunAsync(ct, "ls", "--bytes", "/");
        Assert.True(exit == 0, stderr);
        string line = Assert.Single(stdout.Split('\n'), l => l.EndsWith(" over.txt", StringComparison.Ordinal));
        string[] columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((Segment + 9).ToString(CultureInfo.InvariantCulture), columns[0]);
        Assert.Equal("3", columns[3]);
    }

    [Fact]
    public async Task A_shell_redirect_and_touch_each_make_exactly_one_version()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            // The shell opens with O_TRUNC, dup2s the descriptor and closes the original (a FUSE flush) before writing.
            (int shExit, _, string shErr) = await ExternalTool.RunAsync("sh", "-c", $"echo hello > {mount.PathOf("shell.txt")} && touch {mount.PathOf("touched")}");
            Assert.True(shExit == 0, shErr);
            Assert.Equal("hello\n", await File.ReadAllTextAsync(mount.PathOf("shell.txt"), ct));
            Assert.Equal(0, new FileInfo(mount.PathOf("touched")).Length);
        }

        VolumeConfig config = VolumeAccess.LoadConfig(_cluster.DataDirectory);
        using VolumeCatalog catalog = VolumeAccess.OpenCatalog(_cluster.DataDirectory, config);
        CatalogVersion shell = Assert.Single(catalog.GetVersions("/shell.txt"));
        Assert.Equal(6, shell.Size);
        Assert.Equal(0, Assert.Single(catalog.GetVersions("/touched")).Size);
    }

    [Fact]
    public async Task Unlink_removes_the_name_but_the_catalog_keeps_the_old_version_and_open_readers_keep_reading()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes((2 * Segment) + 1, seed: 15);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("gone"));
            await File.WriteAllBytesAsync(mount.PathOf("gone/file.bin"), content, ct);
            using (FileStream open = File.OpenRead(mount.PathOf("gone/file.bin")))
            {
                File.Delete(mount.PathOf("gone/file.bin"));
                Assert.False(File.Exists(mount.PathOf("gone/file.bin")));
                byte[] read = new byte[content.Length];
                open.ReadExactly(read);
                Assert.Equal(content, read);
            }

            // The directory outlives its last file, so rm -r can remove it next.
            Assert.True(Directory.Exists(mount.PathOf("gone")));
            Assert.Empty(Directory.GetFileSystemEntries(mount.PathOf("gone")));
        }

        VolumeConfig config = VolumeAccess.LoadConfig(_cluster.DataDirectory);
        using VolumeCatalog catalog = VolumeAccess.OpenCatalog(_cluster.DataDirectory, config);
        IReadOnlyList<CatalogVersion> versions = catalog.GetVersions("/gone/file.bin");
        Assert.Equal(2, versions.Count);
        Assert.Equal(content.Length, versions[0].Size);
        Assert.True(versions[1].IsTombstone);
        (int exit, _, _) = await _cluster.RunAsync(ct, "get", "/gone/file.bin", _files.PathOf("gone"));
        Assert.Equal(1, exit);
    }

    [Fact]
    public async Task Rename_moves_files_and_directories_without_copying_data()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        byte[] content = TestFiles.RandomBytes(Segment + 99, seed: 16);
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            Directory.CreateDirectory(mount.PathOf("mv/dir"));
            await File.WriteAllBytesAsync(mount.PathOf("mv/old.bin"), content, ct);
            await mount.SettleAsync(); // recorded before it moves, so the move is seen as a copy of the version
            File.Move(mount.PathOf("mv/old.bin"), mount.PathOf("mv/dir/new.bin"));
            Assert.False(File.Exists(mount.PathOf("mv/old.bin")));
            Assert.Equal(content, await File.ReadAllBytesAsync(mount.PathOf("mv/dir/new.bin"), ct));

            // Replacing an existing target, as editors save files.
            await File.WriteAllTextAsync(mount.PathOf("mv/dir/tmp"), "replacement", ct);
            await mount.SettleAsync();
            File.Move(mount.PathOf("mv/dir/tmp"), mount.PathOf("mv/dir/new.bin"), overwrite: true);
            Assert.Equal("replacement", await File.ReadAllTextAsync(mount.PathOf("mv/dir/new.bin"), ct));

            Directory.CreateDirectory(mount.PathOf("mv/dir/sub/empty"));

            // rename(2) of a directory (Directory.Move makes no copy fallback): the tree moves, empty directories too.
            Directory.Move(mount.PathOf("mv/dir"), mount.PathOf("mv/moved"));
            Assert.False(Directory.Exists(mount.PathOf("mv/dir")));
            Assert.True(Directory.Exists(mount.PathOf("mv/moved/sub/empty")));
            Assert.Equal("replacement", await File.ReadAllTextAsync(mount.PathOf("mv/moved/new.bin"), ct));

            (int mvExit, _, string mvErr) = await ExternalTool.RunAsync("mv", mount.PathOf("mv/moved"), mount.PathOf("mv-again"));
            Assert.True(mvExit == 0, mvErr);
            Assert.Equal("replacement", await File.ReadAllTextAsync(mount.PathOf("mv-again/new.bin"), ct));
        }

        // A rename records the same object under the new name: no data was copied.
        VolumeConfig config = VolumeAccess.LoadConfig(_cluster.DataDirectory);
        using (VolumeCatalog catalog = VolumeAccess.OpenCatalog(_cluster.DataDirectory, config))
        {
            Assert.Equal(catalog.GetVersions("/mv/dir/new.bin").Last(v => !v.IsTombstone).Manifest, catalog.GetLatest("/mv-again/new.bin")!.Manifest);
            Assert.Null(catalog.GetLatest("/mv/moved/new.bin"));
        }

        string copy = _files.PathOf("moved");
        (int exit, _, string stderr) = await _cluster.RunAsync(ct, "get", "/mv-again/new.bin", copy);
        Assert.True(exit == 0, stderr);
        Assert.Equal("replacement", File.ReadAllText(copy));
    }

    [Fact]
    public async Task Cp_a_of_a_tree_reads_back_identical_and_survives_a_remount()
    {
        string source = Path.Combine(_files.Directory, "src");
        var random = new Random(17);
        foreach (string dir in new[] { "", "x", "x/y", "z" })
        {
            Directory.CreateDirectory(Path.Combine(source, dir));
            for (int i = 0; i < 3; i++)
            {
                byte[] bytes = new byte[random.Next(0, (2 * Segment) + 500)];
                random.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(source, dir, $"f{i}.bin"), bytes);
            }
        }

        Directory.CreateDirectory(Path.Combine(source, "z", "empty"));
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            (int cpExit, _, string cpErr) = await ExternalTool.RunAsync("cp", "-a", source, mount.PathOf("copied"));
            Assert.True(cpExit == 0, cpErr);
            (int diffExit, string diff, string diffErr) = await ExternalTool.RunAsync("diff", "-r", source, mount.PathOf("copied"));
            Assert.True(diffExit == 0, diff + diffErr);
        }

        await using (VolumeTestMount again = await VolumeTestMount.StartAsync(_cluster))
        {
            (int diffExit, string diff, string diffErr) = await ExternalTool.RunAsync("diff", "-r", source, again.PathOf("copied"));
            Assert.True(diffExit == 0, diff + diffErr);
        }
    }

    [Fact]
    public async Task Symlinks_work_hard_links_answer_EPERM_and_statfs_reports_free_space()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        await File.WriteAllTextAsync(mount.PathOf("target.txt"), "t", ct);

        (int symlinkExit, _, string symlinkErr) = await ExternalTool.RunAsync("ln", "-s", "target.txt", mount.PathOf("sym"));
        Assert.True(symlinkExit == 0, symlinkErr);
        Assert.Equal("target.txt", new FileInfo(mount.PathOf("sym")).LinkTarget);
        Assert.Equal("t", await File.ReadAllTextAsync(mount.PathOf("sym"), ct));
        (int lsExit, string ls, _) = await ExternalTool.RunAsync("ls", "-l", mount.Root);
        Assert.True(lsExit == 0);
        Assert.Contains("sym -> target.txt", ls);
        (int linkExit, _, string linkErr) = await ExternalTool.RunAsync("ln", mount.PathOf("target.txt"), mount.PathOf("hard"));
        Assert.NotEqual(0, linkExit);
        Assert.Contains("Operation not permitted", linkErr);

        // %a available blocks, %b total blocks: file managers refuse a file system with none free.
        (int statExit, string stat, string statErr) = await ExternalTool.RunAsync("stat", "-f", "-c", "%a %b", mount.Root);
        Assert.True(statExit == 0, statErr);
        long[] blocks = [.. stat.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse)];
        Assert.InRange(blocks[0], 1, blocks[1]);
    }

    [Fact]
    public async Task Ugloo_mount_serves_the_volume_until_SIGTERM_then_unmounts_and_exits_0()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using (MountProcess mount = await MountProcess.StartAsync(_cluster.DataDirectory, ct))
        {
            Assert.True(TestMount.IsMounted(mount.Root));
            await File.WriteAllTextAsync(mount.PathOf("cli.txt"), "through ugloo mount", ct);
            Assert.Equal("through ugloo mount", await File.ReadAllTextAsync(mount.PathOf("cli.txt"), ct));

            int exit = await mount.TerminateAsync(TimeSpan.FromSeconds(60), ct);
            Assert.True(exit == 0, await mount.Stderr);
            Assert.False(TestMount.IsMounted(mount.Root));
        }

        string copy = _files.PathOf("cli.txt");
        (int getExit, _, string getErr) = await _cluster.RunAsync(ct, "get", "/cli.txt", copy);
        Assert.True(getExit == 0, getErr);
        Assert.Equal("through ugloo mount", File.ReadAllText(copy));
    }

    [Fact]
    public async Task Ugloo_unmount_ends_ugloo_mount_with_exit_0()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using MountProcess mount = await MountProcess.StartAsync(_cluster.DataDirectory, ct);

        // Busy: a file open on the mount makes a plain unmount fail with a clear message.
        (int busyExit, string busyErr) = (0, "");
        using (File.Create(mount.PathOf("held.txt")))
        {
            (busyExit, _, busyErr) = await UglooProcess.RunAsync(["unmount", mount.Root], ct);
        }

        Assert.Equal(1, busyExit);
        Assert.Contains("busy", busyErr);

        (int exit, string stdout, string error) = await UglooProcess.RunAsync(["unmount", mount.Root], ct);
        Assert.True(exit == 0, error);
        Assert.Contains("Unmounted", stdout);
        Assert.True(await mount.WaitForExitAsync(TimeSpan.FromSeconds(60), ct) == 0, await mount.Stderr);
    }

    [Fact]
    public async Task Unmount_force_takes_away_the_mount_of_a_daemon_that_does_not_answer()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using MountProcess mount = await MountProcess.StartAsync(_cluster.DataDirectory, ct);
        Signal.Send(mount.Process.Id, Signal.Stop);
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(60));
            (int exit, _, string error) = await UglooProcess.RunAsync(["unmount", "--force", mount.Root], limit.Token);
            Assert.True(exit == 0, error);
            Assert.Contains("did not answer", error);
            Assert.False(TestMount.IsMounted(mount.Root));
        }
        finally
        {
            Signal.Send(mount.Process.Id, Signal.Continue);
        }

        // Woken, it finds its session gone and exits as after any unmount.
        Assert.Equal(0, await mount.WaitForExitAsync(TimeSpan.FromSeconds(60), ct));
    }

    [Fact]
    public async Task A_second_mount_of_the_same_volume_is_refused_while_the_first_serves_it()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string other = _files.PathOf("second-mount");
        Directory.CreateDirectory(other);
        await using (VolumeTestMount first = await VolumeTestMount.StartAsync(_cluster))
        {
            // Two daemons would replay the same journal rows and clean each other's staged copies away.
            using (var second = System.Diagnostics.Process.Start(UglooProcess.CreateStartInfo(["mount", other, "--data", _cluster.DataDirectory], null, redirectInput: false))!)
            {
                Task<string> error = second.StandardError.ReadToEndAsync(ct);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                limit.CancelAfter(TimeSpan.FromSeconds(60));
                try
                {
                    await second.WaitForExitAsync(limit.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    second.Kill();
                    _ = TestLibC.Umount2(other, TestLibC.MntDetach);
                    Assert.Fail("a second 'ugloo mount' of the same data directory is serving it");
                }

                Assert.Equal(1, second.ExitCode);
                Assert.Contains("is mounted already", await error);
            }

            Assert.False(TestMount.IsMounted(other));
            await File.WriteAllTextAsync(first.PathOf("still-served.txt"), "yes", ct);
        }

        // Once the first is gone the volume mounts again.
        using MountProcess again = await MountProcess.StartAsync(_cluster.DataDirectory, ct, other);
        Assert.Equal("yes", await File.ReadAllTextAsync(again.PathOf("still-served.txt"), ct));
        Assert.Equal(0, await again.TerminateAsync(TimeSpan.FromSeconds(60), ct));
    }

    public void Dispose() => _files.Dispose();
}
