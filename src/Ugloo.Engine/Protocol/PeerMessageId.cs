namespace Ugloo.Engine.Protocol;

/// <summary>The one-byte message id that follows the length prefix of every non-keep-alive message.</summary>
internal enum PeerMessageId : byte
{
    // BEP 3, "peer messages".
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,

    /// <summary>BEP 5: the sender's DHT listen port.</summary>
    Port = 9,

    // BEP 6, Fast Extension.
    SuggestPiece = 0x0D,
    HaveAll = 0x0E,
    HaveNone = 0x0F,
    RejectRequest = 0x10,
    AllowedFast = 0x11,

    /// <summary>BEP 10: extension protocol; the next byte is the extended message id.</summary>
    Extended = 20,
}
