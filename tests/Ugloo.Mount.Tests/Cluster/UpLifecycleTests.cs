using System.Text.Json;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>Starting, stopping and restarting <c>ugloo up</c> as a user does.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class UpLifecycleTests : IDisposable
{
    private readonly TestFiles _files = new();

    [Fact]
    public async Task Up_with_mount_serves_the_volume_there_and_unmounts_when_stopped()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string mountPoint = Path.Combine(_files.Directory, "mnt");
        await using (RunningCluster cluster = await RunningCluster.StartAsync(3, ["--mount", mountPoint, "--no-s3", "--code", "2,1"], ct))
        {
            Assert.Contains($"mount     {mountPoint}", cluster.Output, StringComparison.Ordinal);
            Assert.True(Fuse.TestMount.IsMounted(mountPoint));
            await File.WriteAllTextAsync(Path.Combine(mountPoint, "via-up.txt"), "mounted by ugloo up", ct);

            // 'ugloo unmount' waits for the journal, so the file is a version once it returns.
            (int unmountExit, _, string unmountErr) = await UglooProcess.RunAsync(["unmount", mountPoint], ct);
            Assert.True(unmountExit == 0, unmountErr);
            (int exit, _, string stderr) = await cluster.RunAsync(ct, "get", "/via-up.txt", _files.PathOf("via-up.txt"));
            Assert.True(exit == 0, stderr);
            Assert.Equal("mounted by ugloo up", File.ReadAllText(_files.PathOf("via-up.txt")));
        }

        Assert.False(Fuse.TestMount.IsMounted(mountPoint));
    }

    [Fact]
    public async Task Ctrl_C_stops_every_node_and_a_restart_reuses_the_volume()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string data = RunningCluster.NewDataDirectory();
        try
        {
            byte[] content = TestFiles.RandomBytes(100_000, seed: 5);
            string volumeJson;
            string passphrase = _files.Write("passphrase", "correct horse battery staple\n"u8.ToArray());
            string wrongPassphrase = _files.Write("wrong", "not it\n"u8.ToArray());
            await using (RunningCluster first = await RunningCluster.StartAsync(3, ["--segment-size", "16K", "--passphrase-file", passphrase], ct, data))
            {
                Assert.Contains("Creating a volume", first.Output);
                Assert.Contains("none (--no-mount)", first.Output, StringComparison.Ordinal);
                Assert.Equal(3, first.NodeProcesses().Count);

                // The volume key is sealed under the passphrase: without it, or with a wrong one, nothing is stored.
                (int noPassExit, _, string noPassErr) = await first.RunAsync(ct, "put", _files.Write("a", content), "/a");
                Assert.Equal(1, noPassExit);
                Assert.Contains("--passphrase-file", noPassErr);
                (int wrongExit, _, string wrongErr) = await first.RunAsync(ct, "put", _files.PathOf("a"), "/a", "--passphrase-file", wrongPassphrase);
                Assert.Equal(1, wrongExit);
                Assert.Contains("Wrong passphrase", wrongErr);
                Assert.Equal(0, (await first.RunAsync(ct, "put", _files.PathOf("a"), "/a", "--passphrase-file", passphrase)).ExitCode);
                volumeJson = File.ReadAllText(Path.Combine(data, "volume.json"));
                int[] nodePids = [.. Enumerable.Range(0, 3).Select(first.NodePid)];

                Assert.Equal(0, await first.StopAsync(Signal.Interrupt, ct));
                Assert.Contains("All nodes stopped.", first.Output);
                Assert.All(nodePids, pid => Assert.False(Signal.IsAlive(pid), $"node pid {pid} outlived ugloo up"));
                Assert.Empty(first.NodeProcesses());
            }

            (int downExit, string downJson, _) = await UglooProcess.RunAsync(["status", "--json", "--data", data], ct);
            Assert.Equal(1, downExit);
            using (JsonDocument doc = JsonDocument.Parse(downJson))
            {
                Assert.All(doc.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("down", n.GetProperty("state").GetString()));
            }

            (int noClusterExit, _, string noClusterErr) = await UglooProcess.RunAsync(["get", "/a", _files.PathOf("nc"), "--data", data, "--passphrase-file", passphrase], ct);
            Assert.Equal(1, noClusterExit);
            Assert.Contains("No node of the cluster answers", noClusterErr);

            await using RunningCluster second = await RunningCluster.StartAsync(3, [], ct, data);
            Assert.Contains("Starting the volume", second.Output);
            Assert.Equal(volumeJson, File.ReadAllText(Path.Combine(data, "volume.json")));
            string copy = _files.PathOf("a-again");
            (int getExit, _, string getErr) = await second.RunAsync(ct, "get", "/a", copy, "--passphrase-file", passphrase);
            Assert.True(getExit == 0, getErr);
            Assert.Equal(content, File.ReadAllBytes(copy));

            (int twiceExit, _, string twiceErr) = await UglooProcess.RunAsync(["up", "--data", data], ct);
            Assert.Equal(1, twiceExit);
            Assert.Contains("already running", twiceErr);

            Assert.Equal(0, await second.StopAsync(Signal.Terminate, ct));
            Assert.Empty(second.NodeProcesses());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>
    /// The path a user without root takes: mount(2) is refused, so the daemon has the setuid fusermount3 mount the
    /// volume and hand the /dev/fuse descriptor back over a socket, and `ugloo unmount` unmounts through it too.
    /// </summary>
    [Fact]
    public async Task A_normal_user_mounts_and_unmounts_through_fusermount3()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        const int Nobody = 65534;
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("FUSE and fusermount3 are Linux's.");
            return;
        }

        Assert.SkipUnless(Environment.UserName == "root" && File.Exists("/usr/bin/fusermount3"), "needs root (to switch to another user) and fusermount3 (Debian's fuse3)");
        (int canRun, _, string cannot) = await UglooProcess.RunAsAsync(Nobody, "dotnet", [UglooProcess.Dll, "--help"], ct);
        Assert.SkipWhen(canRun != 0, $"user {Nobody} cannot run ugloo (dotnet or the build lies under a directory closed to other users): {cannot}");

        // Debian makes /dev/fuse 0666 for exactly this path; some containers leave it 0600. Opened up for this test only.
        const UnixFileMode ReadWriteAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        UnixFileMode deviceMode = File.GetUnixFileMode("/dev/fuse");
        string data = RunningCluster.NewDataDirectory();
        string mountPoint = data + "-mnt";
        try
        {
            File.SetUnixFileMode("/dev/fuse", deviceMode | ReadWriteAll);
            await using (RunningCluster cluster = await RunningCluster.StartAsync(3, ["--mount", mountPoint, "--no-s3", "--code", "2,1"], ct, data, runAsId: Nobody))
            {
                Assert.Contains($"Uid:\t{Nobody}\t", File.ReadAllText($"/proc/{cluster.UpPid}/status"), StringComparison.Ordinal);
                Assert.True(Fuse.TestMount.IsMounted(mountPoint), cluster.Output);

                // Without allow_other only the user who mounted may enter the mount (root too is kept out), so the
                // files are made and read as that user.
                (int exit, string stdout, string stderr) = await UglooProcess.RunAsAsync(Nobody, "sh", ["-c", $"umask 022 && cd '{mountPoint}' && mkdir d && printf 'by nobody' > d/f && mv d/f d/g && cat d/g && stat -c ' %u:%g %a' d/g"], ct);
                Assert.True(exit == 0, stderr);
                Assert.Equal($"by nobody {Nobody}:{Nobody} 644", stdout.Trim());

                (int unmountExit, string unmountOut, string unmountErr) = await UglooProcess.RunAsAsync(Nobody, "dotnet", [UglooProcess.Dll, "unmount", mountPoint], ct);
                Assert.True(unmountExit == 0, unmountOut + unmountErr);
                Assert.False(Fuse.TestMount.IsMounted(mountPoint));

                // The journal was drained before the unmount: the file is a version in the swarm.
                string copy = data + "-g.txt";
                (int getExit, string getOut, string getErr) = await UglooProcess.RunAsAsync(Nobody, "dotnet", [UglooProcess.Dll, "get", "/d/g", copy, "--data", data], ct);
                Assert.True(getExit == 0, getOut + getErr);
                Assert.Equal("by nobody", File.ReadAllText(copy));
                Assert.Equal(0, await cluster.StopAsync(Signal.Terminate, ct));
            }
        }
        finally
        {
            File.SetUnixFileMode("/dev/fuse", deviceMode);
            if (Fuse.TestMount.IsMounted(mountPoint))
            {
                _ = Fuse.TestLibC.Umount2(mountPoint, Fuse.TestLibC.MntDetach);
            }

            try
            {
                foreach (string leftover in new[] { data, mountPoint }.Where(Directory.Exists))
                {
                    Directory.Delete(leftover, recursive: true);
                }

                File.Delete(data + "-g.txt");
            }
            catch (IOException)
            {
                // A node still releasing a file: the temp directory is cleaned eventually; the test's outcome stands.
            }
        }
    }

    [Fact]
    public async Task Usage_errors_exit_2_with_one_line()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string data = RunningCluster.NewDataDirectory();
        (int exit, _, string stderr) = await UglooProcess.RunAsync(["up", "--data", data, "--nodes", "3", "--code", "4,2", "--required-losses", "2"], ct);
        Assert.Equal(2, exit);
        Assert.Contains("survive", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(data, "volume.json")));
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    public void Dispose() => _files.Dispose();
}
