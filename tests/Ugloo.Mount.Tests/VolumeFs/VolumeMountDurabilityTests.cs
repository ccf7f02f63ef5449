using Ugloo.Engine.Catalog;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// DESIGN.md invariant 4 through the mount: a write the swarm cannot hold durably fails fsync (and close) with EIO,
/// records no version and keeps the written bytes in the staging file; files already stored stay readable.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumeMountDurabilityTests : IDisposable
{
    private readonly TestFiles _files = new();

    [Fact]
    public async Task A_write_that_cannot_be_durable_fails_fsync_and_records_nothing()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RunningCluster cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K"], ct);
        byte[] stored = TestFiles.RandomBytes(200_000, seed: 21);
        Assert.Equal(0, (await cluster.RunAsync(ct, "put", _files.Write("stored", stored), "/stored.bin")).ExitCode);

        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(cluster);

        // RS(4,2) over the four nodes left cannot survive the two losses this volume requires.
        int[] pids = [cluster.NodePid(1), cluster.NodePid(4)];
        foreach (int pid in pids)
        {
            Signal.Send(pid, Signal.Kill);
        }

        await cluster.WaitForOutputAsync($"pid {pids[0]}) exited", TimeSpan.FromSeconds(30), ct);
        await cluster.WaitForOutputAsync($"pid {pids[1]}) exited", TimeSpan.FromSeconds(30), ct);

        byte[] content = TestFiles.RandomBytes(150_000, seed: 22);
        // dd conv=fsync reports a failed fsync(2), which returns only once the version is durable.
        (int ddExit, _, string ddErr) = await ExternalTool.RunAsync("dd", $"if={_files.Write("lost", content)}", $"of={mount.PathOf("lost.bin")}", "bs=64K", "conv=fsync");
        Assert.NotEqual(0, ddExit);
        Assert.Contains("Input/output error", ddErr);

        VolumeConfig config = VolumeAccess.LoadConfig(cluster.DataDirectory);
        using (VolumeCatalog catalog = VolumeAccess.OpenCatalog(cluster.DataDirectory, config))
        {
            Assert.Empty(catalog.GetVersions("/lost.bin"));
        }

        // The failed fsync leaves the file queued at its close: ugloo status counts it as pending.
        (int statusExit, string statusJson, string statusErr) = await cluster.RunAsync(ct, "status", "--json");
        Assert.True(statusExit == 0, statusErr);
        using (var doc = System.Text.Json.JsonDocument.Parse(statusJson))
        {
            System.Text.Json.JsonElement volume = doc.RootElement.GetProperty("volume");
            Assert.Equal((1, 150_000L), (volume.GetProperty("pending_files").GetInt32(), volume.GetProperty("pending_bytes").GetInt64()));
        }

        string staging = Path.Combine(cluster.DataDirectory, "staging");
        Assert.Contains(Directory.GetFiles(staging), f => File.ReadAllBytes(f).AsSpan().SequenceEqual(content));

        // What was stored before stays readable through the mount with two nodes down, and says it is degraded.
        Assert.Equal(stored, await File.ReadAllBytesAsync(mount.PathOf("stored.bin"), ct));
        byte[] buffer = new byte[256];
        nint length = TestLibC.GetXattr(mount.PathOf("stored.bin"), "user.ugloo.state", buffer, (nuint)buffer.Length);
        Assert.True(length > 0, "getxattr user.ugloo.state failed");
        Assert.Equal(
            "degraded: 4 of 4 segments short of 6 fragments, the worst has 4 (4 needed)",
            System.Text.Encoding.UTF8.GetString(buffer, 0, (int)length));
    }

    public void Dispose() => _files.Dispose();
}
