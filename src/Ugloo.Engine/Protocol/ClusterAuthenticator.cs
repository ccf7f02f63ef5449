using System.Security.Cryptography;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// Cluster-membership challenge-response for ugloo_auth. Every member knows the cluster key; the
/// key never crosses the wire. Each side puts a fresh 32-byte nonce in its extended handshake and
/// then sends
/// <code>
/// proof = HMAC-SHA256(clusterKey, message), message (137 bytes) =
///   offset  size
///        0    13  "ugloo-auth-v1" (ASCII, domain separation and version)
///       13    20  info_hash of the BEP 3 handshake
///       33    32  prover's nonce      (the sender of the proof)
///       65    32  verifier's nonce    (the receiver of the proof)
///       97    20  prover's peer id
///      117    20  verifier's peer id
/// </code>
/// Why this layout: the roles are positional, so the two directions of one connection produce
/// different proofs and a peer cannot reflect our proof back to us; both nonces are fresh per
/// connection, so a proof recorded on one connection is worthless on another (replay). Verification
/// recomputes the expected proof with the roles swapped and compares in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>). Equal nonces or equal peer ids on the
/// two sides (a connection to ourselves, or a reflector) are refused outright.
/// </summary>
internal sealed class ClusterAuthenticator : IDisposable
{
    public const int NonceLength = 32;
    public const int ProofLength = 32;

    /// <summary>Keys shorter than this are refused: the proof is only as strong as the key.</summary>
    public const int MinKeyLength = 32;

    private const int MessageLength = 13 + 20 + NonceLength + NonceLength + 20 + 20;

    private static ReadOnlySpan<byte> Label => "ugloo-auth-v1"u8;

    private readonly byte[] _key;

    public ClusterAuthenticator(ReadOnlySpan<byte> clusterKey)
    {
        if (clusterKey.Length < MinKeyLength)
        {
            throw new ArgumentException($"The cluster key must be at least {MinKeyLength} bytes.", nameof(clusterKey));
        }

        _key = clusterKey.ToArray();
    }

    /// <summary>A fresh nonce from the OS CSPRNG.</summary>
    public static byte[] CreateNonce() => RandomNumberGenerator.GetBytes(NonceLength);

    /// <summary>Our proof for the peer: we are the prover.</summary>
    public byte[] ComputeProof(ReadOnlySpan<byte> infoHash, ReadOnlySpan<byte> ownNonce, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> ownPeerId, ReadOnlySpan<byte> peerPeerId)
    {
        byte[] proof = new byte[ProofLength];
        Compute(infoHash, ownNonce, peerNonce, ownPeerId, peerPeerId, proof);
        return proof;
    }

    /// <summary>Checks the peer's proof: the peer is the prover, we the verifier.</summary>
    public bool VerifyPeerProof(ReadOnlySpan<byte> infoHash, ReadOnlySpan<byte> ownNonce, ReadOnlySpan<byte> peerNonce, ReadOnlySpan<byte> ownPeerId, ReadOnlySpan<byte> peerPeerId, ReadOnlySpan<byte> peerProof)
    {
        if (peerProof.Length != ProofLength || ownNonce.SequenceEqual(peerNonce) || ownPeerId.SequenceEqual(peerPeerId))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[ProofLength];
        Compute(infoHash, peerNonce, ownNonce, peerPeerId, ownPeerId, expected);
        return CryptographicOperations.FixedTimeEquals(expected, peerProof);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    private void Compute(ReadOnlySpan<byte> infoHash, ReadOnlySpan<byte> proverNonce, ReadOnlySpan<byte> verifierNonce, ReadOnlySpan<byte> proverId, ReadOnlySpan<byte> verifierId, Span<byte> proof)
    {
        if (infoHash.Length != PeerHandshake.HashLength || proverNonce.Length != NonceLength || verifierNonce.Length != NonceLength
            || proverId.Length != PeerHandshake.PeerIdLength || verifierId.Length != PeerHandshake.PeerIdLength)
        {
            throw new ArgumentException("Wrong length of info hash (20), nonce (32) or peer id (20).");
        }

        Span<byte> message = stackalloc byte[MessageLength];
        Label.CopyTo(message);
        infoHash.CopyTo(message[13..]);
        proverNonce.CopyTo(message[33..]);
        verifierNonce.CopyTo(message[65..]);
        proverId.CopyTo(message[97..]);
        verifierId.CopyTo(message[117..]);
        HMACSHA256.HashData(_key, message, proof);
    }
}
