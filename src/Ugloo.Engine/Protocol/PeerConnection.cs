using Microsoft.Extensions.Logging;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// One DeepTorrent connection over a stream (a NetworkStream in production). The opening sequence,
/// identical on both sides so neither needs to know who dialled:
/// <list type="number">
/// <item>BEP 3 handshake both ways; the info hash must be ours, the peer must set the BEP 10 bit.</item>
/// <item>BEP 10 extended handshake both ways; it must be the peer's first message (keep-alives aside).
/// Ours carries our "m" (<see cref="ExtensionNames.LocalIds"/>) and a fresh ugloo_nonce.</item>
/// <item>With an authenticator: ugloo_auth both ways; it must be the peer's next message and its
/// proof must verify, else the connection is refused. A peer that does not offer ugloo_auth is
/// refused, or let in unauthenticated when <see cref="PeerConnectionOptions.RequireAuthentication"/>
/// is false.</item>
/// </list>
/// Then <see cref="RunAsync"/> dispatches incoming messages to a handler while any number of tasks
/// send with <see cref="SendAsync{T}(T, CancellationToken)"/>.
/// </summary>
internal sealed class PeerConnection : IAsyncDisposable
{
    private static readonly Dictionary<byte, string> s_localNames = ExtensionNames.LocalIds.ToDictionary(e => e.Value, e => e.Key);

    private readonly Stream _stream;
    private readonly PeerFrameReader _reader;
    private readonly PeerFrameWriter _writer;
    private readonly ILogger _logger;

    private PeerConnection(Stream stream, PeerFrameReader reader, PeerFrameWriter writer, ILogger logger, PeerHandshake remote, ExtendedHandshake remoteExtended, bool authenticated)
    {
        _stream = stream;
        _reader = reader;
        _writer = writer;
        _logger = logger;
        RemoteHandshake = remote;
        RemoteExtendedHandshake = remoteExtended;
        IsAuthenticated = authenticated;
        RemotePeerIdHex = Convert.ToHexStringLower(remote.PeerId);
    }

    public PeerHandshake RemoteHandshake { get; }

    public ExtendedHandshake RemoteExtendedHandshake { get; }

    /// <summary>True when the peer proved cluster membership.</summary>
    public bool IsAuthenticated { get; }

    public string RemotePeerIdHex { get; }

    /// <summary>
    /// Runs the opening sequence over <paramref name="stream"/>, which the connection then owns (it
    /// is disposed with the connection, or here on failure).
    /// </summary>
    public static async Task<PeerConnection> EstablishAsync(Stream stream, PeerConnectionOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var reader = new PeerFrameReader(stream, options.Limits);
        var writer = new PeerFrameWriter(stream);
        try
        {
            var ours = new PeerHandshake(options.InfoHash, options.PeerId, extensionProtocol: true, dht: options.Dht);
            await writer.WriteHandshakeAsync(ours, cancellationToken).ConfigureAwait(false);
            PeerHandshake remote = await reader.ReadHandshakeAsync(cancellationToken).ConfigureAwait(false);
            if (!remote.InfoHash.SequenceEqual(options.InfoHash))
            {
                throw new PeerProtocolException("The peer's info hash is not this cluster's.");
            }

            if (!remote.SupportsExtensionProtocol)
            {
                throw new PeerProtocolException("The peer does not support the BEP 10 extension protocol.");
            }

            byte[] nonce = ClusterAuthenticator.CreateNonce();
            // Without an authenticator we do not offer ugloo_auth, so a member refuses us at once
            // instead of waiting for a proof that never comes.
            IReadOnlyDictionary<string, byte> ids = options.Authenticator is null
                ? ExtensionNames.LocalIds.Where(e => e.Key != ExtensionNames.Auth).ToDictionary(StringComparer.Ordinal)
                : ExtensionNames.LocalIds;
            var ourExtended = new ExtendedHandshake(ids)
            {
                Client = options.Client,
                ListenPort = options.ListenPort,
                Nonce = nonce,
                NodeId = options.NodeId,
            };
            await writer.WriteAsync(new ExtendedMessage(ExtendedMessage.HandshakeId, ourExtended.Encode()), cancellationToken).ConfigureAwait(false);

            PeerFrame frame = await ReadNonKeepAliveAsync(reader, cancellationToken).ConfigureAwait(false);
            if (frame.Id != PeerMessageId.Extended || frame.AsExtended().ExtendedId != ExtendedMessage.HandshakeId)
            {
                throw new PeerProtocolException($"Expected the extended handshake, got {frame}.");
            }

            ExtendedHandshake remoteExtended = ExtendedHandshake.Decode(frame.AsExtended().Payload);
            bool authenticated = false;
            byte authId = remoteExtended.GetId(ExtensionNames.Auth);
            if (options.Authenticator is { } auth && (authId != 0 || options.RequireAuthentication))
            {
                if (authId == 0 || remoteExtended.Nonce is null)
                {
                    throw new PeerProtocolException("The peer does not offer ugloo_auth; it is not a cluster member.");
                }

                byte[] proof = auth.ComputeProof(options.InfoHash, nonce, remoteExtended.Nonce, options.PeerId, remote.PeerId);
                await writer.WriteAsync(ExtensionCodec.Encode(new UglooAuth(proof), authId), cancellationToken).ConfigureAwait(false);

                frame = await ReadNonKeepAliveAsync(reader, cancellationToken).ConfigureAwait(false);
                if (frame.Id != PeerMessageId.Extended || frame.AsExtended().ExtendedId != ExtensionNames.LocalIds[ExtensionNames.Auth])
                {
                    throw new PeerProtocolException($"Expected ugloo_auth, got {frame}.");
                }

                UglooAuth peerAuth = ExtensionCodec.Decode<UglooAuth>(frame.AsExtended().Payload);
                if (!auth.VerifyPeerProof(options.InfoHash, nonce, remoteExtended.Nonce, options.PeerId, remote.PeerId, peerAuth.Proof))
                {
                    Log.PeerAuthenticationFailed(logger, Convert.ToHexStringLower(remote.PeerId));
                    throw new PeerProtocolException("The peer's cluster authentication proof is wrong.");
                }

                authenticated = true;
            }

            var connection = new PeerConnection(stream, reader, writer, logger, remote, remoteExtended, authenticated);
            Log.PeerConnected(logger, connection.RemotePeerIdHex, remoteExtended.Client, authenticated);
            return connection;
        }
        catch
        {
            reader.Dispose();
            writer.Dispose();
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True when the peer announced <paramref name="name"/> in its "m".</summary>
    public bool Supports(string name) => RemoteExtendedHandshake.GetId(name) != 0;

    /// <summary>Sends a DeepTorrent message under the id the peer assigned to its name.</summary>
    public ValueTask SendAsync<T>(T message, CancellationToken cancellationToken)
        where T : IExtensionMessage<T>
    {
        byte id = RemoteExtendedHandshake.GetId(T.Name);
        if (id == 0)
        {
            throw new InvalidOperationException($"The peer does not support {T.Name}.");
        }

        return _writer.WriteAsync(ExtensionCodec.Encode(message, id), cancellationToken);
    }

    /// <summary>
    /// Sends a DeepTorrent message without copying its data part into a frame buffer (see
    /// <see cref="PeerFrameWriter.WriteBorrowingAsync"/>): the caller keeps <c>message.Data</c> unchanged until
    /// the returned task completes. Cancelling closes the connection.
    /// </summary>
    public ValueTask SendBorrowingAsync<T>(T message, CancellationToken cancellationToken)
        where T : IExtensionMessage<T>
    {
        byte id = RemoteExtendedHandshake.GetId(T.Name);
        if (id == 0)
        {
            throw new InvalidOperationException($"The peer does not support {T.Name}.");
        }

        return _writer.WriteBorrowingAsync(ExtensionCodec.Encode(message, id), cancellationToken);
    }

    /// <summary>Sends a BEP 3 message (keep-alive, have, piece, ...).</summary>
    public ValueTask SendMessageAsync<TMessage>(TMessage message, CancellationToken cancellationToken)
        where TMessage : IPeerMessage => _writer.WriteAsync(message, cancellationToken);

    /// <summary>
    /// Receives until the peer closes the connection cleanly (returns) or breaks the protocol
    /// (throws <see cref="PeerProtocolException"/>; the caller disposes the connection).
    /// </summary>
    public async Task RunAsync(IPeerMessageHandler handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        while (await _reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false) is PeerFrame frame)
        {
            if (frame.IsKeepAlive || frame.Id != PeerMessageId.Extended)
            {
                await handler.OnFrameAsync(this, frame, cancellationToken).ConfigureAwait(false);
                continue;
            }

            ExtendedMessage extended = frame.AsExtended();
            if (extended.ExtendedId == ExtendedMessage.HandshakeId)
            {
                // BEP 10 allows a repeated handshake to update fields; we keep the first, which
                // fixed the nonce and ids this connection was authenticated with.
                continue;
            }

            if (!s_localNames.TryGetValue(extended.ExtendedId, out string? name))
            {
                Log.UnknownExtendedMessage(_logger, RemotePeerIdHex, extended.ExtendedId);
                continue;
            }

            await handler.OnExtensionAsync(this, name, extended.Payload, cancellationToken).ConfigureAwait(false);
        }

        Log.PeerClosed(_logger, RemotePeerIdHex);
    }

    /// <summary>Closes the connection; a pending <see cref="RunAsync"/> then fails with an I/O or disposed error.</summary>
    public async ValueTask DisposeAsync()
    {
        // The stream first, so a receive loop blocked in a read is woken before the reader's
        // buffer is released.
        await _stream.DisposeAsync().ConfigureAwait(false);
        _reader.Dispose();
        _writer.Dispose();
    }

    private static async ValueTask<PeerFrame> ReadNonKeepAliveAsync(PeerFrameReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            PeerFrame? frame = await reader.ReadFrameAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null)
            {
                throw new EndOfStreamException("The peer closed the connection during the opening sequence.");
            }

            if (!frame.Value.IsKeepAlive)
            {
                return frame.Value;
            }
        }
    }
}
