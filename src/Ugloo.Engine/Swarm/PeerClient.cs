using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// The dialling side of one connection to a node, with requests multiplexed by request id: many
/// stores, fetches and have-queries can be in flight on one connection at once, as BitTorrent
/// pipelines requests. A background loop receives answers and completes the matching request; when
/// the connection breaks every pending request fails with <see cref="PeerUnavailableException"/>.
/// </summary>
/// <remarks>
/// Conventions the node follows (docs/PROTOCOL.md):
/// ugloo_store chunks of one request id arrive in order and contiguous, answered by one ugloo_store_result;
/// ugloo_fetch is answered by ugloo_fetch_data chunks in order until the asked range is complete, or one
/// failure; ugloo_have with "query" set is answered by an ugloo_have with the same request id listing the
/// ids held; ugloo_pex sent by the dialler is answered by the node's own ugloo_pex (the node never
/// answers a pex on a connection it dialled, so two nodes cannot ping-pong).
/// </remarks>
internal sealed partial class PeerClient : IPeerMessageHandler, IAsyncDisposable
{
    private readonly PeerConnection _connection;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, PendingRequest> _pending = new();
    private readonly SemaphoreSlim _pexGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _receiveLoop;
    private readonly Task _keepAliveLoop;
    private TaskCompletionSource<UglooPex>? _pexAnswer;
    private long _nextRequestId;
    private volatile Exception? _failure;

    private PeerClient(string address, PeerConnection connection, ILogger logger)
    {
        Address = address;
        _connection = connection;
        _logger = logger;
        _receiveLoop = Task.Run(ReceiveAsync);
        _keepAliveLoop = Task.Run(KeepAliveAsync);
    }

    /// <summary>
    /// BEP 3 keep-alive interval. Nodes close connections idle for 5 minutes (docs/NODE.md); a pooled
    /// connection must not look idle, or the next request would race the node's close.
    /// </summary>
    public static TimeSpan KeepAliveInterval { get; } = TimeSpan.FromSeconds(60);

    public string Address { get; }

    /// <summary>The node's 32-byte id from its extended handshake, when it is a node.</summary>
    public byte[]? RemoteNodeId => _connection.RemoteExtendedHandshake.NodeId;

    /// <summary>False once the connection broke; a pool then dials a new one.</summary>
    public bool IsOpen => _failure is null;

    public static async Task<PeerClient> ConnectAsync(string address, SwarmCredentials credentials, ILogger logger, TimeSpan timeout, CancellationToken cancellationToken)
    {
        PeerConnection connection = await PeerDialer.ConnectAsync(address, credentials, logger, timeout, cancellationToken).ConfigureAwait(false);
        return new PeerClient(address, connection, logger);
    }

    /// <summary>Stores a fragment, streaming it in chunks; returns when the node has it on disk (fsynced).</summary>
    /// <exception cref="PeerRequestException">The node refused (full, bad hash, …).</exception>
    /// <exception cref="PeerUnavailableException">The connection broke.</exception>
    public Task StoreAsync(FragmentId id, ReadOnlyMemory<byte> fragment, CancellationToken cancellationToken) =>
        StoreAsync(id, new DetachableFragment(fragment), cancellationToken);

    /// <summary>Stores a fragment whose buffer may be swapped for a copy while the upload runs.</summary>
    public Task StoreAsync(FragmentId id, DetachableFragment fragment, CancellationToken cancellationToken) =>
        StoreAsync(id, fragment, segment: null, index: 0, cancellationToken);

    /// <summary>
    /// Stores fragment <paramref name="index"/> of <paramref name="segment"/>, telling the node the segment's
    /// public facts so it can check and repair the segment later (docs/PROTOCOL.md, ugloo_store "seg").
    /// </summary>
    public async Task StoreAsync(FragmentId id, DetachableFragment fragment, Repair.SegmentDescriptor? segment, int index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        byte[] idBytes = id.ToArray();
        var pending = new PendingRequest(null);
        long rid = Register(pending);
        try
        {
            int chunk = PeerWireLimits.DefaultMaxChunkLength;
            int offset = 0;
            do
            {
                int length = Math.Min(chunk, fragment.Length - offset);
                int at = offset;

                // SendAsync encodes (copies) the chunk before its first await, so the lock in WithSlice
                // covers the whole time the fragment's buffer is read.
                ValueTask send = fragment.WithSlice(at, length, data => SendAsync(new UglooStore(rid, idBytes, fragment.Length, at, data, segment, index), cancellationToken));
                await send.ConfigureAwait(false);
                offset += length;
            }
            while (offset < fragment.Length);

            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(rid, out _);
        }
    }

    /// <summary>
    /// Fetches a whole fragment into <paramref name="destination"/> (its exact length). Returns false when
    /// the node does not hold it (or holds it quarantined). The bytes are not verified here: the caller
    /// checks them against the id, because a node may lie.
    /// </summary>
    public async Task<bool> FetchAsync(FragmentId id, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(destination);
        long rid = Register(pending);
        try
        {
            await SendAsync(new UglooFetch(rid, id.ToArray(), 0, destination.Length), cancellationToken).ConfigureAwait(false);
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PeerRequestException e) when (e.Code is UglooErrorCodes.NotFound or UglooErrorCodes.Quarantined)
        {
            return false;
        }
        finally
        {
            _pending.TryRemove(rid, out _);
        }
    }

    /// <summary>Asks which of <paramref name="ids"/> the node holds.</summary>
    public async Task<IReadOnlySet<FragmentId>> HaveAsync(IReadOnlyList<FragmentId> ids, CancellationToken cancellationToken)
    {
        var pending = new PendingRequest(null);
        long rid = Register(pending);
        try
        {
            await SendAsync(new UglooHave(rid, isQuery: true, [.. ids.Select(i => i.ToArray())]), cancellationToken).ConfigureAwait(false);
            await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return pending.Held ?? new HashSet<FragmentId>();
        }
        finally
        {
            _pending.TryRemove(rid, out _);
        }
    }

    /// <summary>Sends our view of the membership and returns the node's (one exchange at a time).</summary>
    public async Task<UglooPex> ExchangeMembersAsync(IReadOnlyList<PexMember> ours, CancellationToken cancellationToken)
    {
        await _pexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var answer = new TaskCompletionSource<UglooPex>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pexAnswer, answer);
            ThrowIfBroken();
            await SendAsync(new UglooPex(ours), cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _pexAnswer, null);
            _pexGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Stop the loops before disposing the connection: disposing under a running handler would
        // return the frame buffer it is reading to the pool.
        await _closing.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_receiveLoop, _keepAliveLoop).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
        _pexGate.Dispose();
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            while (_failure is null)
            {
                await Task.Delay(KeepAliveInterval, _closing.Token).ConfigureAwait(false);
                await _connection.SendMessageAsync(default(KeepAliveMessage), _closing.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Fail(new PeerUnavailableException(Address, e.Message, e));
        }
    }

    ValueTask IPeerMessageHandler.OnFrameAsync(PeerConnection connection, PeerFrame frame, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    ValueTask IPeerMessageHandler.OnExtensionAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        switch (name)
        {
            case ExtensionNames.StoreResult:
                UglooStoreResult stored = ExtensionCodec.Decode<UglooStoreResult>(payload);
                if (_pending.TryGetValue(stored.RequestId, out PendingRequest? store))
                {
                    if (stored.Ok)
                    {
                        store.Completion.TrySetResult();
                    }
                    else
                    {
                        store.Completion.TrySetException(new PeerRequestException(Address, stored.Error!, stored.Reason ?? ""));
                    }
                }

                break;

            case ExtensionNames.FetchData:
                UglooFetchData data = ExtensionCodec.Decode<UglooFetchData>(payload);
                if (_pending.TryGetValue(data.RequestId, out PendingRequest? fetch))
                {
                    fetch.Accept(Address, data);
                }

                break;

            case ExtensionNames.Have:
                UglooHave have = ExtensionCodec.Decode<UglooHave>(payload);
                if (!have.IsQuery && _pending.TryGetValue(have.RequestId, out PendingRequest? query))
                {
                    query.Held = have.FragmentIds.Select(i => new FragmentId(i)).ToHashSet();
                    query.Completion.TrySetResult();
                }

                break;

            case ExtensionNames.Status:
                OnStatus(payload);
                break;

            case ExtensionNames.RootPut or ExtensionNames.RootGet:
                OnRootAnswer(name, payload);
                break;

            case ExtensionNames.Pex:
                UglooPex pex = ExtensionCodec.Decode<UglooPex>(payload);
                Volatile.Read(ref _pexAnswer)?.TrySetResult(pex);
                break;
        }

        return ValueTask.CompletedTask;
    }

    private long Register(PendingRequest pending)
    {
        ThrowIfBroken();
        long rid = Interlocked.Increment(ref _nextRequestId);
        _pending[rid] = pending;

        // The loop may have failed between the check and the add; fail this one too then.
        if (_failure is { } failure)
        {
            pending.Completion.TrySetException(failure);
        }

        return rid;
    }

    private async ValueTask SendAsync<T>(T message, CancellationToken cancellationToken)
        where T : IExtensionMessage<T>
    {
        ThrowIfBroken();
        try
        {
            await _connection.SendAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw Fail(new PeerUnavailableException(Address, e.Message, e));
        }
        catch (ObjectDisposedException e)
        {
            throw Fail(new PeerUnavailableException(Address, "connection closed", e));
        }
    }

    private void ThrowIfBroken()
    {
        if (_failure is { } failure)
        {
            throw new PeerUnavailableException(Address, failure.Message, failure);
        }
    }

    private async Task ReceiveAsync()
    {
        Exception failure;
        try
        {
            await _connection.RunAsync(this, _closing.Token).ConfigureAwait(false);
            failure = new PeerUnavailableException(Address, "the node closed the connection");
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            failure = new PeerUnavailableException(Address, "connection closed");
        }
        catch (Exception e) when (e is IOException or PeerProtocolException or ObjectDisposedException)
        {
            Log.PeerConnectionLost(_logger, Address, e.Message);
            failure = new PeerUnavailableException(Address, e.Message, e);
        }

        Fail(failure);
    }

    private Exception Fail(Exception failure)
    {
        _failure ??= failure;
        foreach (PendingRequest pending in _pending.Values)
        {
            pending.Completion.TrySetException(_failure);
        }

        Volatile.Read(ref _pexAnswer)?.TrySetException(_failure);
        return _failure;
    }
}
