using System.Diagnostics;
using System.Text.Json;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// The mount daemon keeps the swarm's copy of the catalog current: a file written through <c>ugloo mount</c>
/// can be recovered on a new machine while the mount runs, and the last writes before SIGTERM are backed up
/// on the way out.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class MountCatalogBackupTests : IDisposable
{
    private readonly TestFiles _files = new();
    private readonly List<string> _directories = [];

    [Fact]
    public async Task Files_written_through_ugloo_mount_are_recoverable_during_the_mount_and_after_SIGTERM()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        Assert.True(TestLibC.GetEuid() == 0, "mount tests need root");
        await using RunningCluster cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K"], ct);
        using (MountProcess mount = await MountProcess.StartAsync(cluster.DataDirectory, ct))
        {
            await File.WriteAllTextAsync(mount.PathOf("during.txt"), "backed up while mounted", ct);

            // The daemon backs up within its interval plus debounce; a new machine then finds the file.
            var waited = Stopwatch.StartNew();
            while (!await RecoversAsync(cluster, "/during.txt", "backed up while mounted", ct))
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(90), "the mount daemon did not back the catalog up within 90 s");
                await Task.Delay(1000, ct);
            }

            await File.WriteAllTextAsync(mount.PathOf("last.txt"), "written just before SIGTERM", ct);
            int exit = await mount.TerminateAsync(TimeSpan.FromSeconds(90), ct);
            Assert.True(exit == 0, await mount.Stderr);
        }

        Assert.True(await RecoversAsync(cluster, "/last.txt", "written just before SIGTERM", ct), "the write made just before SIGTERM is missing from the recovered catalog");
        Assert.True(await RecoversAsync(cluster, "/during.txt", "backed up while mounted", ct));
    }

    public void Dispose()
    {
        _files.Dispose();
        foreach (string directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    /// <summary>Recovers into a fresh directory and reads <paramref name="path"/>; false when the recovered catalog lacks it.</summary>
    private async Task<bool> RecoversAsync(RunningCluster cluster, string path, string expected, CancellationToken ct)
    {
        string fresh = RunningCluster.NewDataDirectory();
        _directories.Add(fresh);
        string seed;
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(cluster.DataDirectory, "volume.json"))))
        {
            seed = doc.RootElement.GetProperty("seeds")[0].GetString()!;
        }

        (int exit, _, string stderr) = await UglooProcess.RunAsync(
            ["recover", "--key-file", Path.Combine(cluster.DataDirectory, "volume.key"), "--cluster-key", Path.Combine(cluster.DataDirectory, "cluster.key"), "--peer", seed, "--data", fresh], ct);
        if (exit != 0)
        {
            // Before the daemon's first backup no node holds a pointer: that is "not yet", anything else a failure.
            Assert.Contains("holds a catalog pointer", stderr);
            return false;
        }

        string copy = _files.PathOf(Guid.NewGuid().ToString("N"));
        (int getExit, _, _) = await UglooProcess.RunAsync(["get", path, copy, "--data", fresh], ct);
        if (getExit != 0)
        {
            return false;
        }

        Assert.Equal(expected, File.ReadAllText(copy));
        return true;
    }
}
