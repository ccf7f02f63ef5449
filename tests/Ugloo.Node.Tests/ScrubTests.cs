using Ugloo.Engine.Objects;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>Scrub on a real ugloo-node process: rot on disk is found, quarantined, counted and no longer served.</summary>
public sealed class ScrubTests
{
    [Fact]
    public async Task A_flipped_byte_is_found_by_scrub_quarantined_counted_and_then_missing_to_fetch()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var keys = new TempDirectory();
        string keyPath = NodeProcess.CreateClusterKey(keys.Path, out byte[] key);
        using SwarmCredentials credentials = SwarmCredentials.ForClient(key);
        await using NodeProcess node = await NodeProcess.StartAsync(keyPath, ct, "--scrub-interval", "300ms");
        await using PeerClient client = await node.ConnectAsync(credentials, ct);
        (FragmentId good, byte[] goodBytes) = Fragments.Random(200_000);
        (FragmentId bad, byte[] badBytes) = Fragments.Random(300_000);
        await client.StoreAsync(good, goodBytes, ct);
        await client.StoreAsync(bad, badBytes, ct);

        string file = Fragments.FindFile(node, bad) ?? throw new InvalidOperationException("stored fragment has no file");
        await using (FileStream stream = File.Open(file, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 12345;
            int b = stream.ReadByte();
            stream.Position = 12345;
            stream.WriteByte((byte)(b ^ 0x40));
        }

        IReadOnlyDictionary<string, long> status = await client.StatusAsync(ct);
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            while (status["scrub_errors"] == 0)
            {
                await Task.Delay(100, deadline.Token);
                status = await client.StatusAsync(deadline.Token);
            }
        }

        Assert.Equal(1, status["scrub_errors"]);
        Assert.Equal(1, status["fragments"]);
        Assert.Equal(goodBytes.Length, status["bytes"]);
        Assert.Equal(1, status["quarantined"]);
        Assert.Null(Fragments.FindFile(node, bad));
        Assert.False(await client.FetchAsync(bad, new byte[badBytes.Length], ct));
        Assert.Empty(await client.HaveAsync([bad], ct));
        byte[] fetched = new byte[goodBytes.Length];
        Assert.True(await client.FetchAsync(good, fetched, ct));
        Assert.Equal(goodBytes, fetched);
    }

    [Fact]
    public async Task Status_reports_a_finished_pass_over_everything_held()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using var keys = new TempDirectory();
        string keyPath = NodeProcess.CreateClusterKey(keys.Path, out byte[] key);
        using SwarmCredentials credentials = SwarmCredentials.ForClient(key);
        await using NodeProcess node = await NodeProcess.StartAsync(keyPath, ct, "--scrub-interval", "300ms", "--scrub-rate", "10M");
        await using PeerClient client = await node.ConnectAsync(credentials, ct);
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (int i = 0; i < 3; i++)
        {
            (FragmentId id, byte[] bytes) = Fragments.Random(100_000);
            await client.StoreAsync(id, bytes, ct);
        }

        IReadOnlyDictionary<string, long> status = await client.StatusAsync(ct);
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(60));
            while (status["scrub_pass_fragments_done"] < 3)
            {
                await Task.Delay(100, deadline.Token);
                status = await client.StatusAsync(deadline.Token);
            }
        }

        Assert.Equal(0, status["scrub_errors"]);
        Assert.Equal(3, status["fragments"]);
        Assert.True(status["scrub_last_pass"] >= before, $"last pass at {status["scrub_last_pass"]}, test started at {before}");
        Assert.True(status["scrub_bytes"] >= 300_000);
    }
}
