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
    private volatile int _bytesPerSecond;

    public ThrottlingProxy(int port, int targetPort, int bytesPerSecond)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _accepting = AcceptAsync();
    }

    /// <summary>Client-to-node bytes per second; <see cref="int.MaxValue"/> forwards at full speed. Changes apply to open connections.</summary>
    public int BytesPerSecond
    {
        get => _bytesPerSecond;
        set => _bytesPerSecond = value;
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
                Task up = PumpAsync(fromClient, toServer, throttled: true);
                Task down = PumpAsync(toServer, fromClient, throttled: false);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool throttled)
    {
        // Small reads with a pause after each cap the rate at about bytesPerSecond (read again each time,
        // so a proxy can be slowed and sped up while connections stay open).
        byte[] buffer = new byte[64 * 1024];
        int read;
        while (true)
        {
            int rate = throttled ? _bytesPerSecond : int.MaxValue;
            int chunk = rate == int.MaxValue ? buffer.Length : Math.Clamp(rate / 20, 1, buffer.Length);
            if ((read = await from.ReadAsync(buffer.AsMemory(0, chunk), _stop.Token)) <= 0)
            {
                break;
            }

            await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            if (rate != int.MaxValue)
            {
                await Task.Delay(50, _stop.Token);
            }
        }
    }
}
