using System.Text.Json;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>
/// <c>ugloo status</c> counts segments by how many of their fragments the up nodes hold: on six nodes with
/// RS(4,2) every node holds one fragment of each segment, so each node lost moves every segment one class down.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class SegmentHealthTests : IDisposable
{
    private const int Segment = 64 * 1024;

    private readonly TestFiles _files = new();

    [Fact]
    public async Task Stopping_nodes_moves_every_segment_from_redundant_to_degraded_then_at_risk()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using RunningCluster cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K"], ct);

        // 1 + 3 + 2 segments, and an older version of /b whose segments count too. No segment is so short that
        // a data fragment is all padding: identical zero fragments of different segments share one id, and one
        // node's copy serves them all.
        int[] sizes = [Segment - 100, (2 * Segment) + 4000, Segment + 3000];
        string[] paths = ["/a", "/b", "/b"];
        for (int i = 0; i < sizes.Length; i++)
        {
            (int exit, _, string stderr) = await cluster.RunAsync(ct, "put", _files.Write($"f{i}", TestFiles.RandomBytes(sizes[i], i)), paths[i]);
            Assert.True(exit == 0, stderr);
        }

        const int total = 6;
        Assert.Equal((total, total, 0, 0, 0, 0), await SegmentsAsync(cluster, ct));
        (_, string text, _) = await cluster.RunAsync(ct, "status");
        Assert.Contains("Segments  6 total: 6 fully redundant, 0 degraded, 0 at risk, 0 lost; 0 need repair.", text);

        int first = cluster.NodePid(2);
        Signal.Send(first, Signal.Kill);
        await cluster.WaitForOutputAsync($"pid {first}) exited", TimeSpan.FromSeconds(30), ct);
        Assert.Equal((total, 0, total, 0, 0, total), await SegmentsAsync(cluster, ct));

        int second = cluster.NodePid(5);
        Signal.Send(second, Signal.Kill);
        await cluster.WaitForOutputAsync($"pid {second}) exited", TimeSpan.FromSeconds(30), ct);
        Assert.Equal((total, 0, 0, total, 0, total), await SegmentsAsync(cluster, ct));
        (_, text, _) = await cluster.RunAsync(ct, "status");
        Assert.Contains("Segments  6 total: 0 fully redundant, 0 degraded, 6 at risk, 0 lost; 6 need repair.", text);
    }

    public void Dispose() => _files.Dispose();

    private static async Task<(long Total, long Redundant, long Degraded, long AtRisk, long Lost, long Queue)> SegmentsAsync(RunningCluster cluster, CancellationToken ct)
    {
        (int exit, string json, string stderr) = await cluster.RunAsync(ct, "status", "--json");
        Assert.True(exit == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement volume = doc.RootElement.GetProperty("volume");
        JsonElement s = volume.GetProperty("segments");
        return (
            s.GetProperty("total").GetInt64(),
            s.GetProperty("redundant").GetInt64(),
            s.GetProperty("degraded").GetInt64(),
            s.GetProperty("at_risk").GetInt64(),
            s.GetProperty("lost").GetInt64(),
            volume.GetProperty("repair_queue").GetInt64());
    }
}
