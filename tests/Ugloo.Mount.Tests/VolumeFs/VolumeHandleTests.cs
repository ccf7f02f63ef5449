using Ugloo.Mount.FileSystem;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// What an open handle does with the segment arrays it holds when it lets go of them: a leak here costs the reuse
/// (page faults on every segment), a release too early hands a reader's bytes to the next fetch.
/// </summary>
public sealed class VolumeHandleTests
{
    private const int Length = 64 * 1024;

    [Fact]
    public void Closing_a_handle_gives_back_its_segment_and_the_fetches_ahead_that_arrived()
    {
        var pool = new SegmentBufferPool(Length);
        var h = new VolumeHandle(new VolumeNode(7, "/f", isDirectory: false), OpenFlags.Read);
        h.SetCachedSegment(0, pool.Rent(Length));
        h.ReadAhead[1] = Task.FromResult<SegmentBuffer?>(pool.Rent(Length));
        var late = new TaskCompletionSource<SegmentBuffer?>();
        h.ReadAhead[2] = late.Task;

        h.Dispose();
        Assert.Equal(2, pool.Idle);

        // A read that arrives after the close gets the gate (and then sees IsDisposed) instead of hanging.
        Assert.True(h.ReadGate.Wait(0, TestContext.Current.CancellationToken));
        h.ReadGate.Release();

        // A fetch that completes after the close is given back when it arrives.
        late.SetResult(pool.Rent(Length));
        Assert.Equal(2, pool.Idle);
        Assert.True(h.IsDisposed);
    }

    [Fact]
    public async Task Closing_during_a_read_leaves_that_reads_segment_alone_and_the_gate_usable()
    {
        var pool = new SegmentBufferPool(Length);
        var h = new VolumeHandle(new VolumeNode(7, "/f", isDirectory: false), OpenFlags.Read);
        SegmentBuffer held = pool.Rent(Length);
        held.Array.AsSpan().Fill(0x5a);
        h.SetCachedSegment(0, held);

        // A read in flight holds the gate; a second one waits behind it.
        await h.ReadGate.WaitAsync(TestContext.Current.CancellationToken);
        Task<bool> queued = Task.Run(
            async () =>
            {
                await h.ReadGate.WaitAsync(TestContext.Current.CancellationToken);
                try
                {
                    return h.IsDisposed;
                }
                finally
                {
                    h.ReadGate.Release();
                }
            },
            TestContext.Current.CancellationToken);

        h.Dispose();

        // The read in flight still sees its bytes: nothing went back to the pool to be lent again.
        Assert.Equal(0, pool.Idle);
        Assert.All(h.CachedSegmentData!.Array, b => Assert.Equal(0x5a, b));
        h.ReadGate.Release();

        // The queued read gets the gate (it does not hang) and learns the handle is gone.
        Assert.True(await queued.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }
}
