using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>
/// A hand-driven peer for what <see cref="PeerClient"/> cannot do: connect without cluster authentication,
/// write raw bytes, read the node's answers one by one.
/// </summary>
internal sealed class RawPeer : IPeerMessageHandler, IAsyncDisposable
{
    private readonly Channel<(string Name, byte[] Payload)> _inbox = Channel.CreateUnbounded<(string, byte[])>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _received = new();
    private Task? _loop;

    private RawPeer(NetworkStream stream, PeerConnection connection)
    {
        Stream = stream;
        Connection = connection;
    }

    /// <summary>The raw stream under the connection, for writing bytes the codec would refuse to produce.</summary>
    public NetworkStream Stream { get; }

    public PeerConnection Connection { get; }

    public static async Task<NetworkStream> ConnectTcpAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Runs the opening sequence with the given options (no authenticator: an unauthenticated peer).</summary>
    public static async Task<RawPeer> OpenAsync(int port, PeerConnectionOptions options, CancellationToken cancellationToken)
    {
        NetworkStream stream = await ConnectTcpAsync(port, cancellationToken);
        PeerConnection connection = await PeerConnection.EstablishAsync(stream, options, NullLogger.Instance, cancellationToken);
        return new RawPeer(stream, connection);
    }

    /// <summary>Options of a peer that knows the cluster's info hash but not its key (a stock BitTorrent client).</summary>
    public static PeerConnectionOptions Unauthenticated(byte[] clusterKey) => new()
    {
        InfoHash = SwarmCredentials.DeriveInfoHash(clusterKey),
        PeerId = RandomNumberGenerator.GetBytes(20),
        Authenticator = null,
        Client = "stock client",
    };

    /// <summary>Starts receiving the node's messages into the inbox.</summary>
    public void StartReceiving(CancellationToken cancellationToken) =>
        _loop = Task.Run(() => Connection.RunAsync(this, cancellationToken), cancellationToken);

    public async Task<T> ReceiveAsync<T>(CancellationToken cancellationToken)
        where T : IExtensionMessage<T>
    {
        while (true)
        {
            (string name, byte[] payload) = await _inbox.Reader.ReadAsync(cancellationToken);
            if (name == T.Name)
            {
                return ExtensionCodec.Decode<T>(payload);
            }
        }
    }

    /// <summary>True when a message of this name arrived (whether or not it was read from the inbox).</summary>
    public bool HasReceived(string name) => _received.Contains(name);

    public ValueTask OnFrameAsync(PeerConnection connection, PeerFrame frame, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnExtensionAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // The payload lives in the reader's buffer only during this call: copy it.
        _received.Enqueue(name);
        _inbox.Writer.TryWrite((name, payload.ToArray()));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Reads (and discards) until the node closes the connection. True when it did within the timeout: a
    /// clean end of stream or a reset both mean the node dropped us.
    /// </summary>
    public static async Task<bool> WaitForCloseAsync(Stream stream, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        byte[] buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or PeerProtocolException)
            {
            }
        }
    }
}
