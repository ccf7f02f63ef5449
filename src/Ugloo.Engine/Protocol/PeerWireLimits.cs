namespace Ugloo.Engine.Protocol;

/// <summary>
/// Size limits of the peer wire. Every length prefix is checked against these before a byte of
/// its payload is buffered, so a peer cannot make us allocate more than the limits allow.
/// </summary>
internal sealed record PeerWireLimits
{
    /// <summary>Fixed header of a piece message after the prefix: id (1) + index (4) + begin (4).</summary>
    public const int PieceHeaderLength = 9;

    /// <summary>Length of a DeepTorrent data chunk: 1 MiB, the unit of store and fetch streaming.</summary>
    public const int DefaultMaxChunkLength = 1 << 20;

    public static PeerWireLimits Default { get; } = new();

    /// <summary>
    /// Largest block a request may ask for and a piece may carry, in bytes (default 16 KiB). BEP 3
    /// practice: clients close connections that request more than 16 KiB.
    /// </summary>
    public int MaxBlockLength { get; init; } = 16 << 10;

    /// <summary>
    /// Largest length prefix of any message other than extended and bitfield (default 16 KiB + 13,
    /// enough for a piece message carrying the largest block).
    /// </summary>
    public int MaxMessageLength { get; init; } = (16 << 10) + 13;

    /// <summary>
    /// Largest bitfield payload in bytes (default 256 KiB, i.e. 2 Mi pieces). Bitfields only come
    /// from stock BitTorrent peers; DeepTorrent nodes never send one.
    /// </summary>
    public int MaxBitfieldLength { get; init; } = 256 << 10;

    /// <summary>
    /// Largest data chunk of an ugloo_store or ugloo_fetch_data message in bytes (default 1 MiB).
    /// A fragment of several MiB is streamed in chunks of this size.
    /// </summary>
    public int MaxChunkLength { get; init; } = DefaultMaxChunkLength;

    /// <summary>
    /// Largest length prefix of an extended message (BEP 10) in bytes: one chunk plus 64 KiB for the
    /// bencoded header (default 1 MiB + 64 KiB). Security: this times the number of connections is
    /// the receive memory a swarm of peers can make a node hold.
    /// </summary>
    public int MaxExtendedMessageLength { get; init; } = DefaultMaxChunkLength + (64 << 10);

    /// <summary>The largest length prefix any message may have; checked before the id is known.</summary>
    public int MaxFrameLength => Math.Max(MaxMessageLength, Math.Max(MaxExtendedMessageLength, MaxBitfieldLength + 1));

    /// <summary>Throws when the limits are inconsistent.</summary>
    public void Validate()
    {
        if (MaxBlockLength <= 0 || MaxMessageLength < PieceHeaderLength + MaxBlockLength
            || MaxBitfieldLength <= 0 || MaxChunkLength <= 0 || MaxExtendedMessageLength < MaxChunkLength + 2)
        {
            throw new ArgumentException("Inconsistent peer wire limits.");
        }
    }
}
