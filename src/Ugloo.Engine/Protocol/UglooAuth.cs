using Ugloo.Engine.Protocol.Bencode;

namespace Ugloo.Engine.Protocol;

/// <summary>
/// ugloo_auth: proof of cluster membership, <c>d 5:proof 32:&lt;HMAC-SHA256&gt; e</c>. Each side sends
/// one after both extended handshakes (which carry the nonces) have been exchanged; see
/// <see cref="ClusterAuthenticator"/> for what the proof covers.
/// </summary>
internal sealed class UglooAuth : IExtensionMessage<UglooAuth>
{
    public UglooAuth(ReadOnlySpan<byte> proof)
    {
        if (proof.Length != ClusterAuthenticator.ProofLength)
        {
            throw new ArgumentException($"A proof is {ClusterAuthenticator.ProofLength} bytes.", nameof(proof));
        }

        Proof = proof.ToArray();
    }

    public static string Name => ExtensionNames.Auth;

    public byte[] Proof { get; }

    public ReadOnlyMemory<byte> Data => default;

    public BDictionary ToHeader()
    {
        var d = new BDictionary();
        d.Set("proof", Proof);
        return d;
    }

    public static UglooAuth FromHeader(BDictionary header, ReadOnlyMemory<byte> data)
    {
        ExtensionCodec.RequireNoData(data, Name);
        return new UglooAuth(ExtensionCodec.RequireBytes(header, "proof", ClusterAuthenticator.ProofLength));
    }
}
