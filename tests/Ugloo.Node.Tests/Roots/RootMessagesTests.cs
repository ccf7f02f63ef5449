using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests.Roots;

/// <summary>ugloo_root_put and ugloo_root_get against a real ugloo-node process.</summary>
public sealed class RootMessagesTests : IDisposable
{
    private static readonly RootVolumeSettings s_settings = new(2, 1, 65536, 1);

    private readonly TempDirectory _keys = new();
    private readonly VolumeKey _volumeKey = VolumeKey.Generate();
    private readonly RootSigningKey _signing;

    public RootMessagesTests()
    {
        _signing = RootSigningKey.Derive(_volumeKey);
    }

    [Fact]
    public async Task A_node_keeps_the_newest_pointer_across_a_kill_9_restart_and_serves_only_members()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string keyPath = NodeProcess.CreateClusterKey(_keys.Path, out byte[] clusterKey);
        await using NodeProcess node = await NodeProcess.StartAsync(keyPath, ct);
        using var credentials = SwarmCredentials.ForClient(clusterKey);

        byte[] newest = Pointer(3);
        await using (PeerClient peer = await node.ConnectAsync(credentials, ct))
        {
            Assert.Null(await peer.GetRootAsync(_signing.VolumeId, ct));
            UglooRootPut stored = await peer.PutRootAsync(newest, ct);
            Assert.True(stored.Ok, stored.Reason);
            Assert.Equal(3, stored.Sequence);

            UglooRootPut stale = await peer.PutRootAsync(Pointer(2), ct);
            Assert.Equal(UglooRootPut.StaleCode, stale.Error);
            Assert.Equal(3, stale.Sequence);

            byte[] forged = Pointer(9);
            forged[^3] ^= 1;
            UglooRootPut refused = await peer.PutRootAsync(forged, ct);
            Assert.Equal(UglooErrorCodes.BadRequest, refused.Error);
        }

        await node.RestartAsync(ct);
        await using (PeerClient peer = await node.ConnectAsync(credentials, ct))
        {
            Assert.Equal(newest, await peer.GetRootAsync(_signing.VolumeId, ct));
        }

        // A peer without the cluster key can neither file nor read pointers.
        await using RawPeer stranger = await RawPeer.OpenAsync(node.Port, RawPeer.Unauthenticated(clusterKey), ct);
        stranger.StartReceiving(ct);
        await stranger.Connection.SendAsync(UglooRootPut.Request(1, Pointer(5)), ct);
        UglooRootPut answer = await stranger.ReceiveAsync<UglooRootPut>(ct);
        Assert.Equal(UglooErrorCodes.Unauthorized, answer.Error);
        await stranger.Connection.SendAsync(UglooRootGet.Query(2, _signing.VolumeId), ct);
        UglooRootGet get = await stranger.ReceiveAsync<UglooRootGet>(ct);
        Assert.Equal(UglooErrorCodes.NotFound, get.Error);
        Assert.True(get.Data.IsEmpty);
    }

    public void Dispose()
    {
        _signing.Dispose();
        _volumeKey.Dispose();
        _keys.Dispose();
    }

    private byte[] Pointer(long sequence) =>
        RootPointer.Create(_signing, sequence, DateTimeOffset.UtcNow, s_settings, [1, 2, 3], [4, 5, 6]).Serialize();
}
