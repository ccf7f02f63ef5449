using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>The one thread that writes the segment cache's files: order, its bound, failures, shutdown.</summary>
public sealed class SerialWorkerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Items_run_in_order_on_one_thread_that_is_not_the_callers()
    {
        var failures = new Failures();
        using var worker = new SerialWorker("test worker", 100, failures.Add);
        var ran = new List<int>();
        var threads = new HashSet<int>();
        for (int i = 0; i < 50; i++)
        {
            int item = i;
            Assert.True(worker.TryEnqueue(() =>
            {
                ran.Add(item);
                threads.Add(Environment.CurrentManagedThreadId);
            }));
        }

        await worker.WhenIdleAsync().WaitAsync(s_wait, TestContext.Current.CancellationToken);
        Assert.Equal(Enumerable.Range(0, 50), ran);
        Assert.Single(threads);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
        Assert.Equal(0, worker.Pending);
        failures.AssertNone();
    }

    [Fact]
    public async Task Beyond_its_capacity_it_refuses_until_the_running_item_is_done()
    {
        var failures = new Failures();
        using var worker = new SerialWorker("test worker", 3, failures.Add);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Assert.True(worker.TryEnqueue(() =>
        {
            started.Set();
            release.Wait();
        }));
        Assert.True(started.Wait(s_wait, TestContext.Current.CancellationToken));
        int ran = 0;
        Assert.True(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));
        Assert.True(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));

        // Three waiting or running: the running one counts.
        Assert.False(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));
        Task idle = worker.WhenIdleAsync();
        Assert.False(idle.IsCompleted);

        release.Set();
        await idle.WaitAsync(s_wait, TestContext.Current.CancellationToken);
        Assert.Equal(2, ran);
        Assert.True(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));
        await worker.WhenIdleAsync().WaitAsync(s_wait, TestContext.Current.CancellationToken);
        Assert.Equal(3, ran);
        failures.AssertNone();
    }

    [Fact]
    public async Task A_failing_item_is_reported_and_the_next_ones_still_run()
    {
        var failures = new List<Exception>();
        using var worker = new SerialWorker("test worker", 10, e =>
        {
            lock (failures)
            {
                failures.Add(e);
            }
        });
        int ran = 0;
        Assert.True(worker.TryEnqueue(() => throw new InvalidOperationException("disk on fire")));
        Assert.True(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));
        await worker.WhenIdleAsync().WaitAsync(s_wait, TestContext.Current.CancellationToken);
        Assert.Equal(1, ran);
        Assert.Equal("disk on fire", Assert.Single(failures).Message);
    }

    [Fact]
    public async Task A_reporter_that_throws_does_not_end_the_thread()
    {
        using var worker = new SerialWorker("test worker", 10, e => throw new InvalidOperationException("logger broken", e));
        int ran = 0;
        Assert.True(worker.TryEnqueue(() => throw new InvalidOperationException("disk on fire")));
        Assert.True(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));
        await worker.WhenIdleAsync().WaitAsync(s_wait, TestContext.Current.CancellationToken);
        Assert.Equal(1, ran);
    }

    /// <summary>
    /// Collects what the worker reports: asserting inside the callback would throw on the worker's thread, where
    /// the test would never see it.
    /// </summary>
    private sealed class Failures
    {
        private readonly List<Exception> _seen = [];

        public void Add(Exception e)
        {
            lock (_seen)
            {
                _seen.Add(e);
            }
        }

        public void AssertNone()
        {
            lock (_seen)
            {
                Assert.Empty(_seen);
            }
        }
    }

    [Fact]
    public void Dispose_finishes_what_is_queued_and_then_refuses()
    {
        var failures = new Failures();
        var worker = new SerialWorker("test worker", 10, failures.Add);
        int ran = 0;
        for (int i = 0; i < 5; i++)
        {
            Assert.True(worker.TryEnqueue(() =>
            {
                Thread.Sleep(10);
                Interlocked.Increment(ref ran);
            }));
        }

        worker.Dispose();
        Assert.Equal(5, ran);
        Assert.False(worker.TryEnqueue(() => Interlocked.Increment(ref ran)));
        Assert.True(worker.WhenIdleAsync().IsCompletedSuccessfully);
        worker.Dispose();
        failures.AssertNone();
    }
}
