using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>Opens an authenticated DeepTorrent connection to a HOST:PORT, bounded by a deadline.</summary>
internal static class PeerDialer
{
    /// <summary>Connect plus opening sequence; a silent or slow peer fails here instead of hanging a caller.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static async Task<PeerConnection> ConnectAsync(string address, SwarmCredentials credentials, ILogger logger, TimeSpan timeout, CancellationToken cancellationToken)
    {
        DnsEndPoint endpoint = Endpoints.Parse(address);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, deadline.Token).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            socket = null;
            return await PeerConnection.EstablishAsync(stream, credentials.CreateConnectionOptions(), logger, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PeerUnavailableException(address, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new PeerUnavailableException(address, e.Message, e);
        }
        catch (IOException e)
        {
            throw new PeerUnavailableException(address, e.Message, e);
        }
        catch (PeerProtocolException e)
        {
            throw new PeerUnavailableException(address, e.Message, e);
        }
        finally
        {
            socket?.Dispose();
        }
    }
}
