namespace Ugloo.Mount.Tests.Cluster;

/// <summary>
/// One six-node cluster with 64 KiB segments shared by the transfer tests, so that segment edges are cheap
/// to hit. Stopping it at the end is itself checked: SIGTERM, exit code 0, no node process left.
/// </summary>
public sealed class SmallSegmentCluster : IAsyncLifetime
{
    public const int SegmentSize = 64 * 1024;

    private RunningCluster? _cluster;

    internal RunningCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster did not start.");

    public async ValueTask InitializeAsync()
    {
        _cluster = await RunningCluster.StartAsync(6, ["--segment-size", "64K"], TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is null)
        {
            return;
        }

        await using (_cluster)
        {
            int exit = await _cluster.StopAsync(Signal.Terminate, CancellationToken.None);
            IReadOnlyList<int> left = _cluster.NodeProcesses();
            if (exit != 0 || left.Count > 0)
            {
                throw new InvalidOperationException($"ugloo up did not stop cleanly on SIGTERM: exit code {exit}, node processes left: {string.Join(", ", left)}.\n{_cluster.Output}");
            }
        }
    }
}
