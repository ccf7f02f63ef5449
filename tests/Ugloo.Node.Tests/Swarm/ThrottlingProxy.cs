using System.Net;
using System.Net.Sockets;

namespace Ugloo.Node.Tests.Swarm;

/// <summary>
/// A loopback TCP proxy that forwards to a node but lets client-to-node bytes through at a trickle:
/// a slow node, as seen from the client. The node advertises the proxy's address, so every client
/// that learns it by gossip goes through here.
/// </summary>
internal sealed class ThrottlingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly int _targetPort;
    private readonly int _bytesPerSecond;

    public ThrottlingProxy(int port, int targetPort, int bytesPerSecond)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _accepting = AcceptAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                NetworkStream fromClient = client.GetStream();
                NetworkStream toServer = server.GetStream();
                Task up = PumpAsync(fromClient, toServer, _bytesPerSecond);
                Task down = PumpAsync(toServer, fromClient, int.MaxValue);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, int bytesPerSecond)
    {
        // Small reads with a pause after each cap the rate at about bytesPerSecond.
        byte[] buffer = new byte[bytesPerSecond == int.MaxValue ? 64 * 1024 : Math.Max(1, bytesPerSecond / 20)];
        int read;
        while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            if (bytesPerSecond != int.MaxValue)
            {
                await Task.Delay(50, _stop.Token);
            }
        }
    }
}
