using System.Diagnostics;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// The tools people point at a mount: cp -a and rsync -a keep bytes, modes, owners, times and symlinks,
/// also after a remount; and a kill -9 of the mount daemon in the middle of a copy loses no closed file.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumeToolTests : IClassFixture<SmallSegmentCluster>, IDisposable
{
    private const int Segment = SmallSegmentCluster.SegmentSize;

    private readonly RunningCluster _cluster;
    private readonly TestFiles _files = new();

    public VolumeToolTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Cp_a_and_rsync_a_keep_modes_times_and_symlinks_and_rsync_then_finds_nothing_to_do()
    {
        string source = MakeTree("meta-src");
        await using (VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster))
        {
            (int cpExit, _, string cpErr) = await ExternalTool.RunAsync("cp", "-a", source, mount.PathOf("meta-cp"));
            Assert.True(cpExit == 0, cpErr);
            (int rsyncExit, _, string rsyncErr) = await ExternalTool.RunAsync("rsync", "-a", source + "/", mount.PathOf("meta-rsync") + "/");
            Assert.True(rsyncExit == 0, rsyncErr);
            await AssertSameAsync(source, mount.PathOf("meta-cp"));
            await AssertSameAsync(source, mount.PathOf("meta-rsync"));
        }

        await using (VolumeTestMount again = await VolumeTestMount.StartAsync(_cluster))
        {
            await AssertSameAsync(source, again.PathOf("meta-cp"));
            await AssertSameAsync(source, again.PathOf("meta-rsync"));
        }
    }

    [Fact]
    public async Task Kill_9_of_the_mount_daemon_during_a_copy_loses_no_closed_file()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string source = Path.Combine(_files.Directory, "crash-src");
        Directory.CreateDirectory(source);
        var random = new Random(41);
        for (int i = 0; i < 300; i++)
        {
            byte[] bytes = new byte[random.Next(1, 3 * Segment)];
            random.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(source, $"f{i:D3}.bin"), bytes);
        }

        string root = Directory.CreateTempSubdirectory("ugloo-crash-").FullName;
        string done = _files.PathOf("crash-done.log");
        try
        {
            using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct, root))
            {
                Directory.CreateDirectory(Path.Combine(root, "crash"));

                // Each name is logged only after cp returned, that is after close(2) acknowledged the file. The
                // script kills the daemon (SIGKILL) after the 40th file, in the middle of its copy loop.
                string script =
                    $"n=0; for f in '{source}'/*; do cp \"$f\" '{root}/crash/' || exit 1; echo \"$(basename \"$f\")\" >> '{done}';" +
                    $" n=$((n+1)); if [ $n -eq 40 ]; then kill -9 {daemon.Process.Id}; fi; done";
                using Process copy = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true })!;
                string copyErrors = await copy.StandardError.ReadToEndAsync(ct);
                await copy.WaitForExitAsync(ct);
                await daemon.Process.WaitForExitAsync(ct);
                Assert.True(copy.ExitCode != 0, "the copy went on after the kill: " + copyErrors);
            }

            _ = TestLibC.Umount2(root, TestLibC.MntDetach);
            string[] closed = File.ReadAllLines(done);
            Assert.True(closed.Length < 300, "the kill came after the whole copy: the test proves nothing");

            // Restart: the journal replays; 'ugloo unmount' returns once it is empty.
            using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct, root))
            {
                (int exit, _, string error) = await UglooProcess.RunAsync(["unmount", root], ct);
                Assert.True(exit == 0, error);
                Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(120), ct));
            }

            await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
            foreach (string name in closed)
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(source, name)), File.ReadAllBytes(mount.PathOf("crash/" + name)));
            }

            // A file the kill interrupted is absent or whole, never a torn mix.
            foreach (string path in Directory.GetFiles(mount.PathOf("crash")))
            {
                byte[] original = File.ReadAllBytes(Path.Combine(source, Path.GetFileName(path)));
                byte[] stored = File.ReadAllBytes(path);
                Assert.True(stored.Length == 0 || stored.AsSpan().SequenceEqual(original), $"{Path.GetFileName(path)} is torn: {stored.Length} of {original.Length} bytes");
            }
        }
        finally
        {
            if (TestMount.IsMounted(root))
            {
                _ = TestLibC.Umount2(root, TestLibC.MntDetach);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Kill_9_while_a_file_is_open_for_writing_leaves_no_version_of_it_and_sets_its_staged_copy_aside()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string staging = Path.Combine(_cluster.DataDirectory, "staging");
        byte[] closed = new byte[(5 * Segment) + 3];
        new Random(43).NextBytes(closed);
        byte[] unclosed = new byte[1024 * 1024];
        new Random(44).NextBytes(unclosed);
        string root = Directory.CreateTempSubdirectory("ugloo-crash-open-").FullName;
        try
        {
            using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct, root))
            {
                Directory.CreateDirectory(daemon.PathOf("open"));
                await File.WriteAllBytesAsync(daemon.PathOf("open/closed.bin"), closed, ct);
                var open = new FileStream(daemon.PathOf("open/unclosed.bin"), FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
                open.Write(unclosed);
                daemon.Process.Kill();
                await daemon.Process.WaitForExitAsync(ct);
                try
                {
                    open.Dispose();
                }
                catch (IOException)
                {
                    // The connection is gone (ENOTCONN): that is the point.
                }
            }

            _ = TestLibC.Umount2(root, TestLibC.MntDetach);

            // The premise: the daemon died holding the open file's bytes in a staged copy (it is past the
            // small-file limit, so on disk).
            Assert.Contains(Directory.GetFiles(staging), f => new FileInfo(f).Length >= unclosed.Length);

            using (MountProcess daemon = await MountProcess.StartAsync(_cluster.DataDirectory, ct, root))
            {
                (int exit, _, string error) = await UglooProcess.RunAsync(["unmount", root], ct);
                Assert.True(exit == 0, error);
                Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(120), ct));
            }

            // Journal empty, and the never-closed copy moved out of the live staging area into lost+found
            // (where replay does not look), not left among the live copies and not silently deleted.
            Assert.Empty(Directory.GetFiles(staging));
            string lostFound = Path.Combine(staging, "lost+found");
            Assert.Contains(Directory.GetFiles(lostFound), f => new FileInfo(f).Length >= unclosed.Length);
            await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
            Assert.Equal(closed, await File.ReadAllBytesAsync(mount.PathOf("open/closed.bin"), ct));
            string half = mount.PathOf("open/unclosed.bin");
            Assert.True(!File.Exists(half) || new FileInfo(half).Length == 0, "a file never closed became a version");
        }
        finally
        {
            if (TestMount.IsMounted(root))
            {
                _ = TestLibC.Umount2(root, TestLibC.MntDetach);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    public void Dispose() => _files.Dispose();

    /// <summary>Files of many sizes (empty, one byte, segment edges, several segments), modes, times, symlinks, an empty directory.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string MakeTree(string name)
    {
        string source = Path.Combine(_files.Directory, name);
        var random = new Random(23);
        int[] sizes = [0, 1, 4095, Segment - 1, Segment, Segment + 1, (3 * Segment) + 17];
        UnixFileMode[] modes = [(UnixFileMode)0x1A4, (UnixFileMode)0x180, (UnixFileMode)0x1ED, (UnixFileMode)0x124];
        int n = 0;
        foreach (string dir in new[] { "", "a", "a/b", "c d" })
        {
            Directory.CreateDirectory(Path.Combine(source, dir));
            foreach (int size in sizes)
            {
                string file = Path.Combine(source, dir, $"f{size}.bin");
                byte[] bytes = new byte[size];
                random.NextBytes(bytes);
                File.WriteAllBytes(file, bytes);
                File.SetUnixFileMode(file, modes[n++ % modes.Length]);
                File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(n * 1000.123));
            }
        }

        File.CreateSymbolicLink(Path.Combine(source, "a", "link-to-b"), "b/f1.bin");
        File.CreateSymbolicLink(Path.Combine(source, "dangling"), "does/not/exist");
        Directory.CreateDirectory(Path.Combine(source, "empty"));
        File.SetUnixFileMode(Path.Combine(source, "a", "b"), (UnixFileMode)0x1C0);
        return source;
    }

    /// <summary>rsync -a --checksum in dry-run finds no difference of content, mode, owner, times or links.</summary>
    private static async Task AssertSameAsync(string source, string copy)
    {
        (int exit, string output, string error) = await ExternalTool.RunAsync("rsync", "-a", "--checksum", "--dry-run", "--itemize-changes", "--delete", source + "/", copy + "/");
        Assert.True(exit == 0, error);
        Assert.True(output.Trim().Length == 0, "rsync would change:\n" + output);
        (int diffExit, string diff, string diffError) = await ExternalTool.RunAsync("diff", "-r", "--no-dereference", source, copy);
        Assert.True(diffExit == 0, diff + diffError);
    }
}
