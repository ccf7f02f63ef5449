using System.Security.Cryptography;
using System.Text;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Swarm;

/// <summary>
/// Who we are on the swarm: the cluster's info hash, our peer id and (for nodes) node id and listen
/// port, and the authenticator that proves cluster membership. One instance serves every connection
/// of a process; the authenticator only computes HMACs over its private copy of the key.
/// </summary>
internal sealed class SwarmCredentials : IDisposable
{
    private static readonly byte[] s_clientPrefix = Encoding.ASCII.GetBytes("-UG0001-");

    private SwarmCredentials(byte[] clusterKey, byte[] peerId, byte[]? nodeId, int? listenPort)
    {
        InfoHash = DeriveInfoHash(clusterKey);
        PeerId = peerId;
        NodeId = nodeId;
        ListenPort = listenPort;
        Authenticator = new ClusterAuthenticator(clusterKey);
    }

    /// <summary>20-byte BEP 3 info hash that names this cluster's swarm.</summary>
    public byte[] InfoHash { get; }

    public byte[] PeerId { get; }

    public byte[]? NodeId { get; }

    public int? ListenPort { get; }

    public ClusterAuthenticator Authenticator { get; }

    /// <summary>A client (the ugloo CLI or daemon): a fresh random peer id per process, no listen port.</summary>
    public static SwarmCredentials ForClient(ReadOnlySpan<byte> clusterKey)
    {
        byte[] peerId = new byte[20];
        s_clientPrefix.CopyTo(peerId, 0);
        RandomNumberGenerator.Fill(peerId.AsSpan(8));
        return new SwarmCredentials(clusterKey.ToArray(), peerId, null, null);
    }

    /// <summary>A node: its stable peer id and node id, and the port it accepts peers on.</summary>
    public static SwarmCredentials ForNode(ReadOnlySpan<byte> clusterKey, byte[] peerId, byte[] nodeId, int listenPort) =>
        new(clusterKey.ToArray(), peerId, nodeId, listenPort);

    /// <summary>
    /// The info hash is an HMAC of a fixed label under the cluster key: every member computes the same
    /// 20 bytes, strangers learn nothing about the key from it, and two clusters never share a swarm.
    /// </summary>
    public static byte[] DeriveInfoHash(ReadOnlySpan<byte> clusterKey) =>
        HMACSHA256.HashData(clusterKey, "ugloo-swarm-info-hash-v1"u8)[..20];

    public PeerConnectionOptions CreateConnectionOptions(bool requireAuthentication = true) => new()
    {
        InfoHash = InfoHash,
        PeerId = PeerId,
        NodeId = NodeId,
        ListenPort = ListenPort,
        Authenticator = Authenticator,
        RequireAuthentication = requireAuthentication,
        Client = "Ugloo 0.1",
    };

    public void Dispose() => Authenticator.Dispose();
}
