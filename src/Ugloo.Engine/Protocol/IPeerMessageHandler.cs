namespace Ugloo.Engine.Protocol;

/// <summary>
/// Receives the messages of an established <see cref="PeerConnection"/>. Called from the
/// connection's single receive loop, one message at a time: the payload memory is valid only until
/// the call's task completes. A thrown <see cref="PeerProtocolException"/> closes the connection.
/// </summary>
internal interface IPeerMessageHandler
{
    /// <summary>A BEP 3 / BEP 6 message or keep-alive.</summary>
    public ValueTask OnFrameAsync(PeerConnection connection, PeerFrame frame, CancellationToken cancellationToken);

    /// <summary>
    /// A DeepTorrent extension message: <paramref name="name"/> is one of <see cref="ExtensionNames"/>;
    /// decode it with <see cref="ExtensionCodec.Decode{T}"/>.
    /// </summary>
    public ValueTask OnExtensionAsync(PeerConnection connection, string name, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
