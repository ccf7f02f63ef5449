using System.Text;
using Ugloo.Engine.Protocol;

namespace Ugloo.Engine.Tests.Protocol;

public sealed class ClusterAuthenticatorTests
{
    private static readonly byte[] s_key = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
    private static readonly byte[] s_infoHash = new byte[20];
    private static readonly byte[] s_idA = Encoding.ASCII.GetBytes("-UG0001-aaaaaaaaaaaa");
    private static readonly byte[] s_idB = Encoding.ASCII.GetBytes("-UG0001-bbbbbbbbbbbb");

    [Fact]
    public void Both_sides_verify_each_other_with_the_same_key()
    {
        using var a = new ClusterAuthenticator(s_key);
        using var b = new ClusterAuthenticator(s_key);
        byte[] nonceA = ClusterAuthenticator.CreateNonce();
        byte[] nonceB = ClusterAuthenticator.CreateNonce();

        byte[] proofA = a.ComputeProof(s_infoHash, nonceA, nonceB, s_idA, s_idB);
        byte[] proofB = b.ComputeProof(s_infoHash, nonceB, nonceA, s_idB, s_idA);

        Assert.True(b.VerifyPeerProof(s_infoHash, nonceB, nonceA, s_idB, s_idA, proofA));
        Assert.True(a.VerifyPeerProof(s_infoHash, nonceA, nonceB, s_idA, s_idB, proofB));
        Assert.NotEqual(proofA, proofB); // the two directions differ
    }

    [Fact]
    public void Golden_proof_pins_the_documented_layout()
    {
        using var auth = new ClusterAuthenticator(s_key);
        byte[] nonceP = Enumerable.Repeat((byte)1, 32).ToArray();
        byte[] nonceV = Enumerable.Repeat((byte)2, 32).ToArray();
        byte[] message = [.. "ugloo-auth-v1"u8, .. s_infoHash, .. nonceP, .. nonceV, .. s_idA, .. s_idB];
        Assert.Equal(137, message.Length);
        Assert.Equal(System.Security.Cryptography.HMACSHA256.HashData(s_key, message), auth.ComputeProof(s_infoHash, nonceP, nonceV, s_idA, s_idB));
    }

    [Fact]
    public void A_wrong_key_fails()
    {
        using var member = new ClusterAuthenticator(s_key);
        byte[] otherKey = (byte[])s_key.Clone();
        otherKey[0] ^= 1;
        using var outsider = new ClusterAuthenticator(otherKey);
        byte[] nonceA = ClusterAuthenticator.CreateNonce();
        byte[] nonceB = ClusterAuthenticator.CreateNonce();

        byte[] forged = outsider.ComputeProof(s_infoHash, nonceB, nonceA, s_idB, s_idA);
        Assert.False(member.VerifyPeerProof(s_infoHash, nonceA, nonceB, s_idA, s_idB, forged));
    }

    [Fact]
    public void A_reflected_proof_fails()
    {
        // The peer echoes our own proof back to us.
        using var auth = new ClusterAuthenticator(s_key);
        byte[] nonceA = ClusterAuthenticator.CreateNonce();
        byte[] nonceB = ClusterAuthenticator.CreateNonce();
        byte[] ours = auth.ComputeProof(s_infoHash, nonceA, nonceB, s_idA, s_idB);
        Assert.False(auth.VerifyPeerProof(s_infoHash, nonceA, nonceB, s_idA, s_idB, ours));

        // A reflector that echoes our nonce and peer id: refused even with a "valid" proof.
        byte[] mirrored = auth.ComputeProof(s_infoHash, nonceA, nonceA, s_idA, s_idA);
        Assert.False(auth.VerifyPeerProof(s_infoHash, nonceA, nonceA, s_idA, s_idA, mirrored));
    }

    [Fact]
    public void A_proof_replayed_on_a_new_connection_fails()
    {
        using var auth = new ClusterAuthenticator(s_key);
        byte[] oldNonceA = ClusterAuthenticator.CreateNonce();
        byte[] nonceB = ClusterAuthenticator.CreateNonce();
        byte[] recorded = auth.ComputeProof(s_infoHash, nonceB, oldNonceA, s_idB, s_idA); // B's proof on connection 1

        byte[] newNonceA = ClusterAuthenticator.CreateNonce(); // connection 2: A picked a fresh nonce
        Assert.False(auth.VerifyPeerProof(s_infoHash, newNonceA, nonceB, s_idA, s_idB, recorded));

        // Bound to the swarm too.
        byte[] otherHash = Enumerable.Repeat((byte)9, 20).ToArray();
        Assert.True(auth.VerifyPeerProof(s_infoHash, oldNonceA, nonceB, s_idA, s_idB, recorded));
        Assert.False(auth.VerifyPeerProof(otherHash, oldNonceA, nonceB, s_idA, s_idB, recorded));
    }

    [Fact]
    public void Short_keys_and_short_proofs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ClusterAuthenticator(new byte[16]));
        using var auth = new ClusterAuthenticator(s_key);
        Assert.False(auth.VerifyPeerProof(s_infoHash, new byte[32], Enumerable.Repeat((byte)1, 32).ToArray(), s_idA, s_idB, new byte[31]));
    }
}
