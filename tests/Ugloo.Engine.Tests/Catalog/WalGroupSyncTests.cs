using Ugloo.Engine.Catalog;

namespace Ugloo.Engine.Tests.Catalog;

/// <summary>
/// Shared flushes of the catalog's WAL: a close is acknowledged only after a flush that started after its commit,
/// and closes that arrive during one flush share the next instead of taking a flush each.
/// </summary>
public sealed class WalGroupSyncTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly CatalogAttributes s_attributes = new(0x1A4, 1000, 100, 1_700_000_000_000_000_000);

    [Fact]
    public async Task Commits_made_during_a_flush_share_the_next_one_and_none_is_acknowledged_by_a_flush_that_started_before_it()
    {
        var flushes = new GatedFlushes();
        using var sync = new WalGroupSync("unused") { Flush = flushes.FlushAsync };
        CancellationToken ct = TestContext.Current.CancellationToken;

        long first = sync.Committed();
        Task firstDurable = sync.WhenDurableAsync(first, ct);
        await flushes.Started(1).WaitAsync(s_wait, ct);

        // Nine more commits while the first flush runs: it may have started before them, so it covers none.
        Task[] later = [.. Enumerable.Range(0, 9).Select(_ => sync.WhenDurableAsync(sync.Committed(), ct))];
        flushes.Finish(1);
        await firstDurable.WaitAsync(s_wait, ct);

        // One flush for all nine, and none of them done before it.
        await flushes.Started(2).WaitAsync(s_wait, ct);
        Assert.All(later, t => Assert.False(t.IsCompleted));
        flushes.Finish(2);
        await Task.WhenAll(later).WaitAsync(s_wait, ct);
        Assert.Equal(2, sync.Flushes);

        // Durable already: no flush at all.
        await sync.WhenDurableAsync(first, ct).WaitAsync(s_wait, ct);
        Assert.Equal(2, sync.Flushes);
    }

    [Fact]
    public async Task After_a_failed_flush_every_later_commit_fails_too_and_none_is_acknowledged_by_a_later_flush()
    {
        // After a failed fsync Linux may mark the unwritten pages clean: a later fsync that succeeds proves nothing.
        int calls = 0;
        using var sync = new WalGroupSync("unused") { Flush = _ => ++calls == 1 ? Task.FromException(new IOException("disk gone")) : Task.CompletedTask };
        CancellationToken ct = TestContext.Current.CancellationToken;

        IOException e = await Assert.ThrowsAsync<IOException>(() => sync.WhenDurableAsync(sync.Committed(), ct));
        Assert.Equal("disk gone", e.Message);

        IOException later = await Assert.ThrowsAsync<IOException>(() => sync.WhenDurableAsync(sync.Committed(), ct));
        Assert.Contains("disk gone", later.Message);
        Assert.Equal(1, calls);
        Assert.Equal(0, sync.Flushes);
    }

    [Fact]
    public async Task A_relaxed_catalog_queues_rows_that_become_durable_through_its_own_wal_and_survive_a_reopen()
    {
        using var dir = new TempDirectory();
        CancellationToken ct = TestContext.Current.CancellationToken;
        using (VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db")))
        {
            catalog.RelaxNamespaceSync();
            var tickets = new List<long>();
            for (int i = 0; i < 5; i++)
            {
                (_, long ticket) = catalog.AddPendingGrouped($"/f{i}", $"/s/{i}", 3, s_attributes, s_t0, [1, 2, 3]);
                tickets.Add(ticket);
            }

            // Each commit has a ticket of its own, in commit order; flushing the real WAL file works (its name is right).
            Assert.Equal(tickets.Order(), tickets);
            Assert.Equal(5, tickets.Distinct().Count());
            Assert.All(tickets, t => Assert.True(t > 0));
            await Task.WhenAll(tickets.Select(t => catalog.WhenDurableAsync(t, ct))).WaitAsync(s_wait, ct);
        }

        using VolumeCatalog reopened = VolumeCatalog.Open(dir.Combine("catalog.db"));
        Assert.Equal(["/f0", "/f1", "/f2", "/f3", "/f4"], reopened.GetPending().Select(p => p.Path));
        Assert.All(reopened.GetPending(), p => Assert.Equal([1, 2, 3], p.Content));
    }

    [Fact]
    public async Task After_a_failed_flush_the_catalog_acknowledges_no_durable_commit_at_all()
    {
        using var dir = new TempDirectory();
        CancellationToken ct = TestContext.Current.CancellationToken;
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        catalog.RelaxNamespaceSync();
        catalog.GroupSync!.Flush = _ => Task.FromException(new IOException("disk gone"));

        (_, long ticket) = catalog.AddPendingGrouped("/f", "/s/f", 1, s_attributes, s_t0, [9]);
        await Assert.ThrowsAsync<IOException>(() => catalog.WhenDurableAsync(ticket, ct));

        // A version's own commit (synchronous=FULL) would flush the disk itself and succeed: it must not.
        IOException e = Assert.Throws<IOException>(() => catalog.AddVersion("/v", 1, [1], [2], s_t0));
        Assert.Contains("disk gone", e.Message);
        Assert.Null(catalog.GetLatest("/v"));
    }

    [Fact]
    public void A_catalog_that_is_not_relaxed_queues_durably_at_once()
    {
        using var dir = new TempDirectory();
        using VolumeCatalog catalog = VolumeCatalog.Open(dir.Combine("catalog.db"));
        (long id, long ticket) = catalog.AddPendingGrouped("/f", "/s/f", 1, s_attributes, s_t0, [9]);
        Assert.Equal(0, ticket);
        Assert.True(catalog.WhenDurableAsync(ticket, TestContext.Current.CancellationToken).IsCompletedSuccessfully);
        Assert.Equal(id, Assert.Single(catalog.GetPending()).Id);
    }

    /// <summary>Flushes that start and end when the test says so.</summary>
    private sealed class GatedFlushes
    {
        private readonly Lock _lock = new();
        private readonly List<(TaskCompletionSource Started, TaskCompletionSource Finish)> _flushes = [];

        public Task FlushAsync(string file)
        {
            (TaskCompletionSource started, TaskCompletionSource finish) = Slot(Count() + 1);
            started.TrySetResult();
            return finish.Task;
        }

        public Task Started(int n) => Slot(n).Started.Task;

        public void Finish(int n) => Slot(n).Finish.TrySetResult();

        private int Count()
        {
            lock (_lock)
            {
                return _flushes.Count(f => f.Started.Task.IsCompleted);
            }
        }

        private (TaskCompletionSource Started, TaskCompletionSource Finish) Slot(int n)
        {
            lock (_lock)
            {
                while (_flushes.Count < n)
                {
                    _flushes.Add((new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
                }

                return _flushes[n - 1];
            }
        }
    }
}
