using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Mount.Fuse;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// The volume of a running test cluster mounted in this process on a fresh temp directory. Disposing always
/// unmounts, falling back to MNT_DETACH, so a failing test cannot leave a mount behind.
/// </summary>
internal sealed class VolumeTestMount : IAsyncDisposable
{
    private readonly VolumeSession _session;
    private readonly FuseMount _mount;

    private VolumeTestMount(string root, VolumeSession session, FuseMount mount)
    {
        Root = root;
        _session = session;
        _mount = mount;
    }

    public string Root { get; }

    /// <summary>The session's catalog: its WAL flushes can be held (<see cref="Ugloo.Engine.Catalog.WalGroupSync.Flush"/>).</summary>
    public Ugloo.Engine.Catalog.VolumeCatalog Catalog => _session.Catalog;

    /// <summary>The session's segment cache, whose hit and miss counters tell how often reads went to the nodes.</summary>
    public SegmentCache Segments => _session.FileSystem.Segments;

    public static async Task<VolumeTestMount> StartAsync(RunningCluster cluster, SegmentCacheOptions? cacheOptions = null)
    {
        // The suite runs as root in CI (.ci/run): a missing prerequisite is a failure, never a skip.
        Assert.True(TestLibC.GetEuid() == 0, "mount tests need root (mount(2) of fuse needs CAP_SYS_ADMIN); run the suite as root");
        Assert.True(File.Exists("/dev/fuse"), "mount tests need /dev/fuse");
        CancellationToken ct = TestContext.Current.CancellationToken;
        string root = Directory.CreateTempSubdirectory("ugloo-volume-").FullName;
        VolumeSession session = await VolumeSession.OpenAsync(cluster.DataDirectory, null, cacheOptions, NullLogger.Instance, ct);
        try
        {
            FuseMount mount = await FuseMount.MountAsync(root, session.FileSystem, new FuseMountOptions(), ct);
            return new VolumeTestMount(root, session, mount);
        }
        catch
        {
            await session.DisposeAsync();
            Directory.Delete(root);
            throw;
        }
    }

    /// <summary>Waits until every closed file has left the write-back journal (recorded as a version).</summary>
    public Task SettleAsync() => _session.FileSystem.WaitForJournalAsync(null, TestContext.Current.CancellationToken);

    public string PathOf(string relative) => Path.Combine(Root, relative.TrimStart('/'));

    /// <summary>
    /// Unmounts, then waits for the journal as <c>ugloo mount</c> does (at most 15 s: a test that stopped
    /// nodes leaves files queued, which stay in the journal), and closes the session.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _mount.DisposeAsync();
            try
            {
                await _session.FileSystem.WaitForJournalAsync(null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
        finally
        {
            if (TestMount.IsMounted(Root))
            {
                _ = TestLibC.Umount2(Root, TestLibC.MntDetach);
            }

            await _session.DisposeAsync();
            try
            {
                Directory.Delete(Root);
            }
            catch (IOException)
            {
                // Still busy after a failed unmount: leave it, the next run uses a new directory.
            }
        }
    }
}
