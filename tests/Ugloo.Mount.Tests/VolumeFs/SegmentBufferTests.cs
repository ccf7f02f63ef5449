using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>Pooled segment arrays: reused only after the last holder lets go, never more than the pool's bound.</summary>
public sealed class SegmentBufferTests
{
    [Fact]
    public void An_array_goes_back_to_the_pool_only_when_its_last_holder_releases_it()
    {
        var pool = new SegmentBufferPool(1024);
        SegmentBuffer first = pool.Rent(1024);
        first.Array.AsSpan().Fill(7);
        SegmentBuffer shared = first.Retain();

        first.Release();
        Assert.Equal(0, pool.Idle);
        SegmentBuffer other = pool.Rent(1024);
        Assert.NotSame(first.Array, other.Array);

        // Still held: its bytes are untouched by the other buffer's use.
        other.Array.AsSpan().Fill(9);
        Assert.All(shared.Array, b => Assert.Equal(7, b));

        shared.Release();
        Assert.Equal(1, pool.Idle);
        SegmentBuffer reused = pool.Rent(1024);
        Assert.Same(first.Array, reused.Array);
        Assert.Equal((3L, 1L), pool.Statistics);
    }

    [Fact]
    public void Releasing_too_often_or_retaining_after_the_last_release_is_an_error()
    {
        var pool = new SegmentBufferPool(16);
        SegmentBuffer buffer = pool.Rent(16);
        buffer.Release();
        Assert.Throws<InvalidOperationException>(buffer.Retain);
        Assert.Throws<InvalidOperationException>(buffer.Release);

        // The extra release did not put the array in the pool a second time.
        Assert.Equal(1, pool.Idle);
    }

    [Fact]
    public void Other_lengths_are_not_pooled_and_the_pool_keeps_a_bounded_number_idle()
    {
        var pool = new SegmentBufferPool(64);
        SegmentBuffer odd = pool.Rent(63);
        Assert.Equal(63, odd.Length);
        odd.Release();
        Assert.Equal(0, pool.Idle);

        SegmentBuffer[] many = [.. Enumerable.Range(0, SegmentBufferPool.MaxIdle + 3).Select(_ => pool.Rent(64))];
        Assert.Equal(many.Length, many.Select(b => b.Array).Distinct().Count());
        foreach (SegmentBuffer b in many)
        {
            b.Release();
        }

        Assert.Equal(SegmentBufferPool.MaxIdle, pool.Idle);
    }

    [Fact]
    public async Task A_fetch_nobody_reads_is_released_when_it_arrives()
    {
        var pool = new SegmentBufferPool(32);
        var arrived = new TaskCompletionSource<SegmentBuffer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        SegmentBuffer.ReleaseWhenDone(arrived.Task);
        Assert.Equal(0, pool.Idle);

        arrived.SetResult(pool.Rent(32));
        await arrived.Task;
        for (int i = 0; i < 100 && pool.Idle == 0; i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, pool.Idle);
    }
}
