using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Protocol;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Peers;

/// <summary>
/// Accepts peer connections on the node's listener. Each runs the DeepTorrent opening sequence
/// (<see cref="PeerConnection.EstablishAsync"/>, cluster authentication optional so a stock BitTorrent
/// client can connect) under a deadline, then a <see cref="NodeSession"/> until the peer leaves. A peer that
/// breaks the protocol loses its own connection and nothing else (DESIGN.md invariant 6). On stop: no new
/// connections, every open one is closed, unfinished uploads are aborted.
/// </summary>
internal sealed class PeerServer : BackgroundService
{
    /// <summary>How long stop waits for sessions to wind down after their sockets were closed.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(3);

    private readonly NodeRuntime _runtime;
    private readonly ILogger<PeerServer> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wholeReads;
    private readonly ConcurrentDictionary<long, (Socket Socket, Task Session)> _open = new();
    private readonly TimeSpan _handshakeTimeout;
    private long _nextConnection;

    public PeerServer(NodeRuntime runtime, ILogger<PeerServer> logger, IHostApplicationLifetime lifetime)
    {
        _runtime = runtime;
        _logger = logger;
        _lifetime = lifetime;
        _slots = new SemaphoreSlim(runtime.Options.MaxConnections, runtime.Options.MaxConnections);

        // Whole-fragment reads buffer the fragment to verify it before sending; a few at a time keeps that
        // memory bounded while still overlapping disk reads.
        _wholeReads = new SemaphoreSlim(Math.Max(4, Environment.ProcessorCount));
        _handshakeTimeout = runtime.Options.HandshakeTimeoutValue;
    }

    /// <summary>Connections open now (for tests and diagnostics).</summary>
    public int OpenConnections => _open.Count;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Cancels the accept loop and every session's token.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        _runtime.Listener.Close();
        Log.Stopping(_logger, _open.Count);

        // Closing the sockets wakes receive loops blocked in a read and senders blocked in a write; each
        // session then aborts its uploads and releases its connection on its own task.
        foreach ((Socket socket, _) in _open.Values)
        {
            socket.Dispose();
        }

        Task all = Task.WhenAll(_open.Values.Select(o => o.Session));
        await Task.WhenAny(all, Task.Delay(s_drainTimeout, CancellationToken.None)).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _runtime.Listener.AcceptAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Interrupted)
                {
                    // The peer gave up before we accepted it.
                    continue;
                }

                string remote = socket.RemoteEndPoint?.ToString() ?? "unknown peer";
                if (!_slots.Wait(TimeSpan.Zero, CancellationToken.None))
                {
                    Log.ConnectionLimitReached(_logger, remote, _runtime.Options.MaxConnections);
                    socket.Dispose();
                    continue;
                }

                Log.Accepted(_logger, remote);
                long id = Interlocked.Increment(ref _nextConnection);
                var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Task session = ServeAsync(id, socket, remote, started.Task, stoppingToken);
                _open[id] = (socket, session);
                started.SetResult();
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            Log.ServiceFailed(_logger, nameof(PeerServer), e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
            throw;
        }
    }

    private async Task ServeAsync(long id, Socket socket, string remote, Task registered, CancellationToken stoppingToken)
    {
        // Runs off the accept loop; waits until it is registered so its own cleanup cannot precede it.
        await registered.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        PeerConnection? connection = null;
        NodeSession? session = null;
        try
        {
            socket.NoDelay = true;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                deadline.CancelAfter(_handshakeTimeout);
                connection = await PeerConnection.EstablishAsync(new NetworkStream(socket, ownsSocket: true), _runtime.ServerOptions, _logger, deadline.Token).ConfigureAwait(false);
            }

            session = new NodeSession(_runtime, remote, _logger, _wholeReads);
            await connection.RunAsync(session, stoppingToken).ConfigureAwait(false);
            Log.ConnectionEnded(_logger, remote, "closed by the peer");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (connection is null)
        {
            Log.HandshakeTimedOut(_logger, remote, _handshakeTimeout);
        }
        catch (PeerProtocolException e)
        {
            Log.ProtocolViolation(_logger, remote, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Resets, closes mid-message, sockets closed by StopAsync: the peer's problem or ours to ignore.
            Log.ConnectionEnded(_logger, remote, e.Message);
        }
        catch (Exception e)
        {
            // A bug in serving this peer: loud, but it costs only this connection.
            Log.SessionFailed(_logger, remote, e);
        }
        finally
        {
            session?.AbortUploads();
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            _open.TryRemove(id, out _);
            _slots.Release();
        }
    }
}
