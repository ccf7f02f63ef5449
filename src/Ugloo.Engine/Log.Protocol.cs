using Microsoft.Extensions.Logging;

namespace Ugloo.Engine;

// Protocol band: 3000-3999. Peer ids are logged as hex; never keys, nonces or proofs.
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "Peer {PeerId} connected: client \"{Client}\", authenticated {Authenticated}")]
    public static partial void PeerConnected(ILogger logger, string peerId, string? client, bool authenticated);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Peer {PeerId} failed cluster authentication")]
    public static partial void PeerAuthenticationFailed(ILogger logger, string peerId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Peer {PeerId} sent extended id {ExtendedId}, which we never assigned; ignored")]
    public static partial void UnknownExtendedMessage(ILogger logger, string peerId, byte extendedId);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Peer {PeerId} closed the connection")]
    public static partial void PeerClosed(ILogger logger, string peerId);
}
