using Microsoft.Extensions.Logging;
using Ugloo.Engine.Membership;
using Ugloo.Engine.Objects;
using Ugloo.Engine.Placement;
using Ugloo.Engine.Protocol;
using Ugloo.Node.Hosting;
using Ugloo.Node.Membership;

namespace Ugloo.Node.Peers;

/// <summary>
/// The node's side of one accepted connection: answers ugloo_store, ugloo_fetch, ugloo_have and ugloo_pex
/// as <see cref="Engine.Swarm.PeerClient"/> expects (docs/PROTOCOL.md, "Node behaviour"). The connection's
/// receive loop calls it one message at a time and a payload is valid only during the call, so every
/// disk write and every send is awaited before returning: a slow disk or a slow reader holds back this
/// peer's next message, which is the backpressure.
/// </summary>
internal sealed partial class NodeSession : IPeerMessageHandler
{
    private readonly NodeRuntime _runtime;
    private readonly string _remote;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _wholeReads;
    private readonly PeerServer.OpenConnection _activity;

    public NodeSession(NodeRuntime runtime, string remote, ILogger logger, SemaphoreSlim wholeReads, PeerServer.OpenConnection activity)
    {
        _activity = activity;
        _runtime = runtime;
        _remote = remote;
        _logger = logger;
        _wholeReads = wholeReads;
    }

    /// <summary>
    /// BEP 3 / BEP 6 messages from a stock BitTorrent client: there is no torrent to serve, so they are
    /// ignored (the connection stays open; the peer sees a peer with nothing to offer).
    /// </summary>
    public ValueTask OnFrameAsync(PeerConnection connection, PeerFrame frame, CancellationToken cancellationToken)
    {
        _activity.Touch();
        return ValueTask.CompletedTask;
    }

    public async ValueTask OnExtensionAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _activity.Touch();
        await DispatchAsync(connection, name, payload, cancellationToken).ConfigureAwait(false);

        // Again after the work: a long answer (a big fetch to a slow reader) is activity too.
        _activity.Touch();
    }

    private ValueTask DispatchAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        name switch
        {
            ExtensionNames.Store => OnStoreAsync(connection, ExtensionCodec.Decode<UglooStore>(payload), cancellationToken),
            ExtensionNames.Fetch => OnFetchAsync(connection, ExtensionCodec.Decode<UglooFetch>(payload), cancellationToken),
            ExtensionNames.Have => OnHaveAsync(connection, ExtensionCodec.Decode<UglooHave>(payload), cancellationToken),
            ExtensionNames.Pex => OnPexAsync(connection, ExtensionCodec.Decode<UglooPex>(payload), cancellationToken),
            ExtensionNames.Status => OnStatusAsync(connection, ExtensionCodec.Decode<UglooStatus>(payload), cancellationToken),
            ExtensionNames.RootPut => OnRootPutAsync(connection, ExtensionCodec.Decode<UglooRootPut>(payload), cancellationToken),
            ExtensionNames.RootGet => OnRootGetAsync(connection, ExtensionCodec.Decode<UglooRootGet>(payload), cancellationToken),

            // Answers (store_result, fetch_data) flow the other way; a late ugloo_auth is a repeat of the
            // opening; ugloo_manifest is not served yet. None needs an answer.
            _ => ValueTask.CompletedTask,
        };

    /// <summary>"Which of these do you hold?": answered with the held subset under the same rid.</summary>
    private async ValueTask OnHaveAsync(PeerConnection connection, UglooHave have, CancellationToken cancellationToken)
    {
        if (!have.IsQuery)
        {
            // An announcement: nothing to answer (repair will use it later).
            return;
        }

        var held = new List<byte[]>();
        foreach (byte[] id in have.FragmentIds)
        {
            if (_runtime.Store.Contains(new FragmentId(id)))
            {
                held.Add(id);
            }
        }

        await ReplyAsync(connection, new UglooHave(have.RequestId, isQuery: false, held), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Membership gossip from a dialler: merged, then answered with our own view. Only on authenticated
    /// connections: strangers learn nothing about the members. This handler only ever serves connections we
    /// accepted, so a pex on a connection we dialled is never answered and two nodes cannot ping-pong.
    /// </summary>
    private async ValueTask OnPexAsync(PeerConnection connection, UglooPex pex, CancellationToken cancellationToken)
    {
        if (!connection.IsAuthenticated)
        {
            Log.UnauthenticatedPex(_logger, _remote);
            return;
        }

        byte[]? nodeId = connection.RemoteExtendedHandshake.NodeId;
        MemberId? sender = nodeId is { Length: MemberId.Size } ? new MemberId(nodeId) : null;
        MemberTable members = _runtime.Members;
        MembershipLog.Report(_logger, members.Merge(pex.Members, sender, DateTimeOffset.UtcNow), _runtime.Options.DownAfterValue);
        members.UpdateSelf(_runtime.Store.FreeBytes);
        await ReplyAsync(connection, new UglooPex(members.ToPex()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends an answer; a peer that asks but cannot receive the answer breaks the protocol.</summary>
    private static ValueTask ReplyAsync<T>(PeerConnection connection, T message, CancellationToken cancellationToken)
        where T : IExtensionMessage<T>
    {
        if (!connection.Supports(T.Name))
        {
            throw new PeerProtocolException($"The peer sent a request but does not accept {T.Name}, its answer.");
        }

        return connection.SendAsync(message, cancellationToken);
    }

    /// <summary>
    /// <see cref="ReplyAsync{T}"/> for fetched data sent straight from our read buffer, which is not reused
    /// until the send completes: skips copying every fetched byte into a frame buffer.
    /// </summary>
    private static ValueTask ReplyBorrowingAsync(PeerConnection connection, UglooFetchData message, CancellationToken cancellationToken)
    {
        if (!connection.Supports(UglooFetchData.Name))
        {
            throw new PeerProtocolException($"The peer sent a request but does not accept {UglooFetchData.Name}, its answer.");
        }

        return connection.SendBorrowingAsync(message, cancellationToken);
    }
}
