using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>Gossip between real node processes: join, convergence, down and up again.</summary>
public sealed class MembershipTests : IDisposable
{
    // Short gossip so the test runs in seconds; the waits below are bounds on a hang, not timings.
    private static readonly string[] s_fastGossip = ["--gossip-interval", "300ms", "--down-after", "3s"];
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _keys = new();
    private readonly string _keyPath;
    private readonly SwarmCredentials _client;

    public MembershipTests()
    {
        _keyPath = NodeProcess.CreateClusterKey(_keys.Path, out byte[] key);
        _client = SwarmCredentials.ForClient(key);
    }

    public void Dispose()
    {
        _client.Dispose();
        _keys.Dispose();
    }

    [Fact]
    public async Task Chain_of_joins_converges_and_a_dead_member_goes_down_and_comes_back_up()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using NodeProcess a = await NodeProcess.StartAsync(_keyPath, ct, [.. s_fastGossip, "--site", "room-a"]);
        await using NodeProcess b = await NodeProcess.StartAsync(_keyPath, ct, [.. s_fastGossip, "--join", a.Address]);
        await using NodeProcess c = await NodeProcess.StartAsync(_keyPath, ct, [.. s_fastGossip, "--join", b.Address]);
        NodeProcess[] all = [a, b, c];

        // B joined A and C joined B; A learns of C only through gossip.
        foreach (NodeProcess observer in all)
        {
            await WaitForViewAsync(observer, view => all.All(n => StateOf(view, n) == "up"), "all three up", ct);
        }

        UglooPex fromC = await ViewAsync(c, ct);
        PexMember aSeenByC = fromC.Members.Single(m => m.Address == a.Address);
        Assert.Equal("room-a", aSeenByC.Site);
        Assert.True(aSeenByC.CapacityBytes > 0);

        await c.KillAsync();
        foreach (NodeProcess observer in new[] { a, b })
        {
            await WaitForViewAsync(observer, view => StateOf(view, c) == "down", "C down", ct);
        }

        // Down members are kept, not forgotten.
        Assert.Equal(3, (await ViewAsync(a, ct)).Members.Count);

        await c.RestartAsync(ct);
        foreach (NodeProcess observer in new[] { a, b })
        {
            await WaitForViewAsync(observer, view => StateOf(view, c) == "up", "C up again", ct);
        }
    }

    [Fact]
    public async Task Joining_node_retries_until_its_seed_appears()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        int seedPort = NodeProcess.FreePort();
        await using NodeProcess joiner = await NodeProcess.StartAsync(_keyPath, ct, [.. s_fastGossip, "--join", $"127.0.0.1:{seedPort}"]);
        await WaitForAsync(() => Task.FromResult(joiner.Output.Contains("No seed answered", StringComparison.Ordinal)), "a log line saying no seed answered", joiner, ct);

        // The seed comes up on that port later; the joiner's backoff finds it.
        await using NodeProcess seed = await NodeProcess.StartOnPortAsync(_keyPath, seedPort, ct, s_fastGossip);
        await WaitForViewAsync(seed, view => StateOf(view, joiner) == "up", "joiner known to the seed", ct);
        await WaitForViewAsync(joiner, view => StateOf(view, seed) == "up", "seed known to the joiner", ct);
    }

    private static string? StateOf(UglooPex view, NodeProcess node) =>
        view.Members.SingleOrDefault(m => m.Address == node.Address)?.State;

    private async Task<UglooPex> ViewAsync(NodeProcess node, CancellationToken ct)
    {
        await using PeerClient client = await node.ConnectAsync(_client, ct);
        return await client.ExchangeMembersAsync([], ct);
    }

    private async Task WaitForViewAsync(NodeProcess node, Func<UglooPex, bool> condition, string what, CancellationToken ct) =>
        await WaitForAsync(async () => condition(await ViewAsync(node, ct)), what, node, ct);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, NodeProcess node, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(s_bound);
        while (!await condition())
        {
            try
            {
                await Task.Delay(200, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"Waited {s_bound.TotalSeconds} s for {what} on {node.Address}. Its output:\n{node.Output}");
            }
        }
    }
}
