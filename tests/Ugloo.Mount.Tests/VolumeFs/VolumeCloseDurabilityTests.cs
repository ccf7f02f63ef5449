using Ugloo.Mount.Tests.Cluster;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// A close returns only once the file's journal row is on disk, while the flush of the catalog's WAL that makes
/// it so is shared and runs outside the filesystem's lock. The flush is held here to see who waits for it.
/// </summary>
[Collection(ClusterTestGroup.Name)]
public sealed class VolumeCloseDurabilityTests : IClassFixture<SmallSegmentCluster>
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    // Long enough for a close that does not wait to have returned many times over.
    private static readonly TimeSpan s_notBefore = TimeSpan.FromMilliseconds(500);

    private readonly RunningCluster _cluster;

    public VolumeCloseDurabilityTests(SmallSegmentCluster fixture)
    {
        _cluster = fixture.Cluster;
    }

    [Fact]
    public async Task Every_writer_of_a_file_waits_for_the_flush_of_the_row_that_holds_its_bytes_and_others_go_on_meanwhile()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using VolumeTestMount mount = await VolumeTestMount.StartAsync(_cluster);
        await File.WriteAllTextAsync(mount.PathOf("other.txt"), "unrelated", ct);

        var flushStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFlush = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Ugloo.Engine.Catalog.WalGroupSync groupSync = mount.Catalog.GroupSync!;
        groupSync.Flush = async _ =>
        {
            flushStarted.TrySetResult();
            await releaseFlush.Task.ConfigureAwait(false);
        };

        try
        {
            string path = mount.PathOf("shared.txt");
            using var first = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
            using var second = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            first.Write("first "u8);
            first.Flush();
            second.Position = 6;
            second.Write("second"u8);
            second.Flush();

            // The first close queues the file, both writers' bytes in one row, and waits for the held flush.
            Task firstClosed = Task.Run(first.Dispose, ct);
            await flushStarted.Task.WaitAsync(s_wait, ct);
            await Task.Delay(s_notBefore, ct);
            Assert.False(firstClosed.IsCompleted, "a close returned before its journal row was on disk");

            // The second writer has nothing new to queue, but its bytes are in that row: it waits too.
            Task secondClosed = Task.Run(second.Dispose, ct);
            await Task.Delay(s_notBefore, ct);
            Assert.False(secondClosed.IsCompleted, "a writer's close returned before the row holding its bytes was on disk");

            // Meanwhile the rest of the mount answers (a name never looked up reaches the daemon): the flush does
            // not hold the filesystem's lock.
            Assert.Equal("unrelated", await File.ReadAllTextAsync(mount.PathOf("other.txt"), ct).WaitAsync(s_wait, ct));
            Assert.False(await Task.Run(() => File.Exists(mount.PathOf("missing.txt")), ct).WaitAsync(s_wait, ct));

            releaseFlush.SetResult();
            await Task.WhenAll(firstClosed, secondClosed).WaitAsync(s_wait, ct);
            Assert.Equal("first second", await File.ReadAllTextAsync(path, ct));
        }
        finally
        {
            releaseFlush.TrySetResult();
            groupSync.Flush = null;
        }
    }
}
