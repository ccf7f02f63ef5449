using System.Text.Json;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>A six-node RS(4,2) cluster losing two nodes to kill -9: reads go on, writes refuse clearly.</summary>
[Collection(ClusterTestGroup.Name)]
public sealed class NodeLossTests : IDisposable
{
    private const int Segment = 64 * 1024;

    private readonly TestFiles _files = new();

    [Fact]
    public async Task Killing_two_nodes_keeps_every_file_readable_and_refuses_new_writes()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RunningCluster cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K"], ct);
        int[] sizes = [0, 1, Segment - 1, Segment, Segment + 1, (7 * Segment) + 123];
        var contents = new Dictionary<string, byte[]>();
        foreach (int size in sizes)
        {
            byte[] content = TestFiles.RandomBytes(size, seed: 100 + size);
            string path = $"/loss/f{size}";
            (int exit, _, string stderr) = await cluster.RunAsync(ct, "put", _files.Write($"f{size}", content), path);
            Assert.True(exit == 0, stderr);
            contents[path] = content;
        }

        int[] victims = [1, 4];
        int[] pids = [.. victims.Select(cluster.NodePid)];
        foreach (int pid in pids)
        {
            Signal.Send(pid, Signal.Kill);
        }

        // ugloo up notices and says so.
        await cluster.WaitForOutputAsync($"pid {pids[0]}) exited", TimeSpan.FromSeconds(30), ct);
        await cluster.WaitForOutputAsync($"pid {pids[1]}) exited", TimeSpan.FromSeconds(30), ct);

        foreach ((string path, byte[] content) in contents)
        {
            string copy = _files.PathOf("copy" + path.Replace('/', '_'));
            (int exit, _, string stderr) = await cluster.RunAsync(ct, "get", path, copy);
            Assert.True(exit == 0, $"get {path} with two nodes down failed: {stderr}");
            Assert.Equal(content, File.ReadAllBytes(copy));
        }

        (int statusExit, string json, string statusErr) = await cluster.RunAsync(ct, "status", "--json");
        Assert.True(statusExit == 0, statusErr);
        using (JsonDocument doc = JsonDocument.Parse(json))
        {
            JsonElement[] nodes = [.. doc.RootElement.GetProperty("nodes").EnumerateArray()];
            Assert.Equal(6, nodes.Length);
            string[] down = [.. nodes.Where(n => n.GetProperty("state").GetString() == "down").Select(n => n.GetProperty("address").GetString()!)];
            Assert.Equal(2, down.Length);
            Assert.Equal(4, nodes.Count(n => n.GetProperty("state").GetString() == "up"));
            foreach (int victim in victims)
            {
                JsonElement node = nodes.Single(n => n.GetProperty("index").GetInt32() == victim);
                Assert.Equal("down", node.GetProperty("state").GetString());
            }

            JsonElement volume = doc.RootElement.GetProperty("volume");
            Assert.Equal(0, volume.GetProperty("tolerates_node_losses").GetInt32());
            Assert.False(volume.GetProperty("writable").GetBoolean());
        }

        (_, string text, _) = await cluster.RunAsync(ct, "status");
        Assert.Contains("4 of 6 up", text);
        Assert.Contains("can lose no more nodes", text);

        // Two down: RS(4,2) over four nodes cannot survive two more losses, which the volume requires.
        (int putExit, string putOut, string putErr) = await cluster.RunAsync(ct, "put", _files.Write("late", [1, 2, 3]), "/loss/late");
        Assert.Equal(1, putExit);
        Assert.Contains("durably", putErr);
        Assert.DoesNotContain("Stored", putOut);
        (int lsExit, _, _) = await cluster.RunAsync(ct, "ls", "/loss/late");
        Assert.Equal(1, lsExit);

        Assert.Equal(0, await cluster.StopAsync(Signal.Terminate, ct));
        Assert.Empty(cluster.NodeProcesses());
    }

    [Fact]
    public async Task Unmount_force_with_the_swarm_unreachable_exits_at_once_and_the_queued_files_upload_at_the_next_mount()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RunningCluster cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K", "--no-mount"], ct);
        byte[] content = TestFiles.RandomBytes((3 * Segment) + 5, seed: 7);
        string root = Directory.CreateTempSubdirectory("ugloo-force-").FullName;
        int[] nodes = [.. Enumerable.Range(0, 6).Select(cluster.NodePid)];
        try
        {
            using (VolumeFs.MountProcess daemon = await VolumeFs.MountProcess.StartAsync(cluster.DataDirectory, ct, root))
            {
                // Every node frozen: the close is journaled, its upload cannot finish.
                foreach (int pid in nodes)
                {
                    Signal.Send(pid, Signal.Stop);
                }

                await File.WriteAllBytesAsync(daemon.PathOf("queued.bin"), content, ct);
                await File.WriteAllBytesAsync(daemon.PathOf("gone.bin"), content.AsMemory(0, 4096), ct);
                File.Delete(daemon.PathOf("gone.bin"));
                (int exit, _, string error) = await UglooProcess.RunAsync(["unmount", "--force", root], ct);
                Assert.True(exit == 0, error);

                // Without the word from --force the daemon would wait for the swarm to come back.
                Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(30), ct));
                Assert.Contains("still queued", await daemon.Stdout);
            }

            foreach (int pid in nodes)
            {
                Signal.Send(pid, Signal.Continue);
            }

            using (VolumeFs.MountProcess daemon = await VolumeFs.MountProcess.StartAsync(cluster.DataDirectory, ct, root))
            {
                // Replayed: the file deleted while queued is not back, not even while its row waits (a small file
                // is held up to a second for a pack, so it is still queued when the mount is up).
                Assert.False(File.Exists(daemon.PathOf("gone.bin")), "a file deleted before the unmount came back");
                Assert.Equal(content, await File.ReadAllBytesAsync(daemon.PathOf("queued.bin"), ct));

                (int exit, _, string error) = await UglooProcess.RunAsync(["unmount", root], ct);
                Assert.True(exit == 0, error);
                Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(120), ct));
            }

            string copy = _files.PathOf("queued.copy");
            (int getExit, _, string getErr) = await cluster.RunAsync(ct, "get", "/queued.bin", copy);
            Assert.True(getExit == 0, getErr);
            Assert.Equal(content, File.ReadAllBytes(copy));

            // History keeps the deleted file: its version, then the tombstone.
            (int versionsExit, string versions, string versionsErr) = await cluster.RunAsync(ct, "versions", "/gone.bin", "--json");
            Assert.True(versionsExit == 0, versionsErr);
            using JsonDocument doc = JsonDocument.Parse(versions);
            Assert.Equal(["file", "deleted"], doc.RootElement.EnumerateArray().Select(v => v.GetProperty("kind").GetString()));
        }
        finally
        {
            foreach (int pid in nodes.Where(Signal.IsAlive))
            {
                Signal.Send(pid, Signal.Continue);
            }

            Directory.Delete(root, recursive: true);
        }
    }

    public void Dispose() => _files.Dispose();
}
