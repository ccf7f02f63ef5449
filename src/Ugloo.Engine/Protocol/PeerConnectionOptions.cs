namespace Ugloo.Engine.Protocol;

/// <summary>Identity and policy of our side of a <see cref="PeerConnection"/>.</summary>
internal sealed class PeerConnectionOptions
{
    /// <summary>20-byte BEP 3 info hash; DeepTorrent uses one per cluster. A peer with another is refused.</summary>
    public required byte[] InfoHash { get; init; }

    /// <summary>20-byte BEP 3 peer id, fresh per process.</summary>
    public required byte[] PeerId { get; init; }

    /// <summary>
    /// The cluster authenticator. When set, the connection is refused unless the peer proves
    /// cluster membership (ugloo_auth); when null, no proof is exchanged and the connection stays
    /// unauthenticated (the node then serves only what a stock BitTorrent peer may see).
    /// </summary>
    public ClusterAuthenticator? Authenticator { get; init; }

    /// <summary>
    /// With an <see cref="Authenticator"/>: when true (default) a peer that does not offer
    /// ugloo_auth is refused; when false it is let in unauthenticated (a stock BitTorrent client
    /// talking to a node), and the handler must answer its storage requests with "unauthorized".
    /// A peer that offers ugloo_auth and fails it is always refused.
    /// </summary>
    public bool RequireAuthentication { get; init; } = true;

    /// <summary>"v" of the extended handshake.</summary>
    public string Client { get; init; } = "Ugloo";

    /// <summary>"p" of the extended handshake: our TCP listen port, if we accept connections.</summary>
    public int? ListenPort { get; init; }

    /// <summary>Our 32-byte node id, if we are a node.</summary>
    public byte[]? NodeId { get; init; }

    /// <summary>Set the BEP 5 DHT bit of the handshake.</summary>
    public bool Dht { get; init; }

    public PeerWireLimits Limits { get; init; } = PeerWireLimits.Default;
}
