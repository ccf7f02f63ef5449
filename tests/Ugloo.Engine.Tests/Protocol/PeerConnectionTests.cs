using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Protocol;

public sealed class PeerConnectionTests
{
    private static readonly byte[] s_key = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] s_infoHash = RandomNumberGenerator.GetBytes(20);

    private static PeerConnectionOptions Options(byte[]? key, byte[]? infoHash = null) => new()
    {
        InfoHash = infoHash ?? s_infoHash,
        PeerId = RandomNumberGenerator.GetBytes(20),
        Authenticator = key is null ? null : new ClusterAuthenticator(key),
        Client = "Ugloo test",
        NodeId = RandomNumberGenerator.GetBytes(32),
    };

    /// <summary>Connects a client and a server over real loopback TCP and runs both opening sequences.</summary>
    private static async Task<(Task<PeerConnection> Server, Task<PeerConnection> Client)> ConnectAsync(PeerConnectionOptions server, PeerConnectionOptions client)
    {
        // A guard against a hung opening sequence (a bug would otherwise stall the whole run); the
        // token is not used to measure time.
        var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(1));
        CancellationToken ct = guard.Token;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            Task<PeerConnection> serverTask = Task.Run(async () =>
            {
                Socket socket = await listener.AcceptSocketAsync(ct);
                return await PeerConnection.EstablishAsync(new NetworkStream(socket, ownsSocket: true), server, NullLogger.Instance, ct);
            }, ct);
            var tcp = new TcpClient();
            await tcp.ConnectAsync((IPEndPoint)listener.LocalEndpoint, ct);
            Task<PeerConnection> clientTask = PeerConnection.EstablishAsync(tcp.GetStream(), client, NullLogger.Instance, ct);
            await Task.WhenAll(Task.WhenAny(serverTask), Task.WhenAny(clientTask));
            return (serverTask, clientTask);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Members_authenticate_and_store_then_fetch_a_fragment_over_loopback()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var (serverTask, clientTask) = await ConnectAsync(Options(s_key), Options(s_key));
        await using PeerConnection server = await serverTask;
        await using PeerConnection client = await clientTask;
        Assert.True(server.IsAuthenticated && client.IsAuthenticated);
        Assert.Equal("Ugloo test", client.RemoteExtendedHandshake.Client);
        Assert.True(client.Supports(ExtensionNames.Store));

        var node = new StoringNode();
        var replies = new ClientInbox();
        Task serverLoop = server.RunAsync(node, ct);
        Task clientLoop = client.RunAsync(replies, ct);

        // A 2.5 MiB fragment streamed in 1 MiB chunks.
        byte[] fragment = new byte[(5 << 20) / 2];
        new Random(1).NextBytes(fragment);
        byte[] id = SHA256.HashData(fragment);
        for (int offset = 0; offset < fragment.Length; offset += PeerWireLimits.DefaultMaxChunkLength)
        {
            int length = Math.Min(PeerWireLimits.DefaultMaxChunkLength, fragment.Length - offset);
            await client.SendAsync(new UglooStore(1, id, fragment.Length, offset, fragment.AsMemory(offset, length)), ct);
        }

        UglooStoreResult stored = (UglooStoreResult)await replies.Messages.Reader.ReadAsync(ct);
        Assert.True(stored.Ok, stored.Reason);
        Assert.Equal(1, stored.RequestId);

        // A corrupted upload is refused with bad_hash.
        await client.SendAsync(new UglooStore(2, id, 3, 0, "bad"u8.ToArray()), ct);
        UglooStoreResult refused = (UglooStoreResult)await replies.Messages.Reader.ReadAsync(ct);
        Assert.Equal(UglooErrorCodes.BadHash, refused.Error);

        // Fetch it back in pipelined ranges.
        var fetched = new byte[fragment.Length];
        int requests = 0;
        for (int offset = 0; offset < fragment.Length; offset += PeerWireLimits.DefaultMaxChunkLength)
        {
            await client.SendAsync(new UglooFetch(100 + requests++, id, offset, PeerWireLimits.DefaultMaxChunkLength), ct);
        }

        for (int i = 0; i < requests; i++)
        {
            var data = (UglooFetchData)await replies.Messages.Reader.ReadAsync(ct);
            Assert.True(data.Ok);
            data.Data.CopyTo(fetched.AsMemory((int)data.Offset));
        }

        Assert.Equal(fragment, fetched);

        await client.SendAsync(new UglooFetch(200, RandomNumberGenerator.GetBytes(32), 0, 10), ct);
        Assert.Equal(UglooErrorCodes.NotFound, ((UglooFetchData)await replies.Messages.Reader.ReadAsync(ct)).Error);

        await client.DisposeAsync(); // the server's loop ends cleanly when the client goes away
        await serverLoop;

        // The client's own loop ends too: cleanly when it saw the end of the stream first, or with the
        // disposal it raced against; never with a protocol error.
        Exception? ended = await Record.ExceptionAsync(() => clientLoop);
        Assert.True(ended is null or ObjectDisposedException or IOException or OperationCanceledException, ended?.ToString());
    }

    [Fact]
    public async Task A_peer_with_the_wrong_cluster_key_is_refused()
    {
        byte[] wrongKey = RandomNumberGenerator.GetBytes(32);
        var (serverTask, clientTask) = await ConnectAsync(Options(s_key), Options(wrongKey));
        await Assert.ThrowsAsync<PeerProtocolException>(() => serverTask);
        await Assert.ThrowsAnyAsync<Exception>(() => clientTask);
    }

    [Fact]
    public async Task A_peer_without_ugloo_auth_is_refused_by_a_member()
    {
        // A stock BitTorrent client's view: it completes its side of the opening sequence (it does
        // not know about ugloo_auth), and the member refuses it.
        var (serverTask, clientTask) = await ConnectAsync(Options(s_key), Options(key: null));
        await Assert.ThrowsAsync<PeerProtocolException>(() => serverTask);
        await using PeerConnection client = await clientTask;
        Assert.False(client.IsAuthenticated);
    }

    [Fact]
    public async Task A_node_that_admits_stock_clients_lets_them_in_unauthenticated()
    {
        var (serverTask, clientTask) = await ConnectAsync(WithoutRequirement(Options(s_key)), Options(key: null));
        await using PeerConnection server = await serverTask;
        await using PeerConnection client = await clientTask;
        Assert.False(server.IsAuthenticated || client.IsAuthenticated);
        Assert.False(server.Supports(ExtensionNames.Auth));

        // Relaxing the requirement does not let a wrong key in.
        var (serverTask2, clientTask2) = await ConnectAsync(WithoutRequirement(Options(s_key)), Options(RandomNumberGenerator.GetBytes(32)));
        await Assert.ThrowsAsync<PeerProtocolException>(() => serverTask2);
        await Assert.ThrowsAnyAsync<Exception>(() => clientTask2);
    }

    private static PeerConnectionOptions WithoutRequirement(PeerConnectionOptions o) => new()
    {
        InfoHash = o.InfoHash,
        PeerId = o.PeerId,
        Authenticator = o.Authenticator,
        RequireAuthentication = false,
    };

    [Fact]
    public async Task A_peer_of_another_swarm_is_refused()
    {
        var (serverTask, clientTask) = await ConnectAsync(Options(s_key), Options(s_key, RandomNumberGenerator.GetBytes(20)));
        await Assert.ThrowsAsync<PeerProtocolException>(() => serverTask);
        await Assert.ThrowsAnyAsync<Exception>(() => clientTask);
    }

    [Fact]
    public async Task Without_authenticators_the_connection_opens_unauthenticated()
    {
        var (serverTask, clientTask) = await ConnectAsync(Options(key: null), Options(key: null));
        await using PeerConnection server = await serverTask;
        await using PeerConnection client = await clientTask;
        Assert.False(server.IsAuthenticated || client.IsAuthenticated);
        Assert.NotNull(server.RemoteExtendedHandshake.Nonce);
    }

    /// <summary>A minimal node: keeps fragments in memory, verifies hashes, serves ranges.</summary>
    private sealed class StoringNode : IPeerMessageHandler
    {
        private readonly Dictionary<long, MemoryStream> _uploads = [];
        private readonly Dictionary<string, byte[]> _fragments = [];

        public ValueTask OnFrameAsync(PeerConnection connection, PeerFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public async ValueTask OnExtensionAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            switch (name)
            {
                case ExtensionNames.Store:
                    UglooStore store = ExtensionCodec.Decode<UglooStore>(payload);
                    if (!_uploads.TryGetValue(store.RequestId, out MemoryStream? upload))
                    {
                        _uploads[store.RequestId] = upload = new MemoryStream();
                    }

                    upload.Write(store.Data.Span); // the payload dies with this call: copy it
                    if (store.IsLast)
                    {
                        _uploads.Remove(store.RequestId);
                        byte[] bytes = upload.ToArray();
                        bool good = SHA256.HashData(bytes).AsSpan().SequenceEqual(store.FragmentId);
                        if (good)
                        {
                            _fragments[Convert.ToHexString(store.FragmentId)] = bytes;
                        }

                        await connection.SendAsync(
                            good ? UglooStoreResult.Success(store.RequestId) : UglooStoreResult.Failure(store.RequestId, UglooErrorCodes.BadHash, "hash mismatch"),
                            cancellationToken);
                    }

                    break;
                case ExtensionNames.Fetch:
                    UglooFetch fetch = ExtensionCodec.Decode<UglooFetch>(payload);
                    if (_fragments.TryGetValue(Convert.ToHexString(fetch.FragmentId), out byte[]? fragment))
                    {
                        int length = (int)Math.Min(fetch.Length, fragment.Length - fetch.Offset);
                        await connection.SendAsync(UglooFetchData.Success(fetch.RequestId, fragment.Length, fetch.Offset, fragment.AsMemory((int)fetch.Offset, length)), cancellationToken);
                    }
                    else
                    {
                        await connection.SendAsync(UglooFetchData.Failure(fetch.RequestId, UglooErrorCodes.NotFound, "unknown fragment"), cancellationToken);
                    }

                    break;
            }
        }
    }

    private sealed class ClientInbox : IPeerMessageHandler
    {
        public Channel<object> Messages { get; } = Channel.CreateUnbounded<object>();

        public ValueTask OnFrameAsync(PeerConnection connection, PeerFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask OnExtensionAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            object message = name switch
            {
                ExtensionNames.StoreResult => ExtensionCodec.Decode<UglooStoreResult>(payload),
                // Copy the data out: the payload is only valid during this call.
                ExtensionNames.FetchData => Copy(ExtensionCodec.Decode<UglooFetchData>(payload)),
                _ => name,
            };
            return Messages.Writer.WriteAsync(message, cancellationToken);
        }

        private static UglooFetchData Copy(UglooFetchData d) =>
            d.Ok ? UglooFetchData.Success(d.RequestId, d.TotalLength, d.Offset, d.Data.ToArray()) : d;
    }
}
