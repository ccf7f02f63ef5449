using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Ugloo.Engine.Crypto;
using Ugloo.Engine.Placement;

namespace Ugloo.Engine.Cluster;

/// <summary>
/// A node's long-lived Ed25519 identity, created on first start and kept in its data dir. The node id is
/// SHA-256 of the public key (32 bytes, what placement hashes); the 20-byte BitTorrent peer id is the
/// Azureus-style client tag "-UG0001-" followed by the first 12 bytes of the node id (BEP 20).
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    public const string FileName = "node.key";

    private static readonly byte[] s_peerIdPrefix = Encoding.ASCII.GetBytes("-UG0001-");

    private readonly Key _key;

    private NodeIdentity(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        byte[] id = SHA256.HashData(PublicKey);
        NodeId = new MemberId(id);
        byte[] peerId = new byte[20];
        s_peerIdPrefix.CopyTo(peerId, 0);
        id.AsSpan(0, 12).CopyTo(peerId.AsSpan(8));
        PeerId = peerId;
    }

    public MemberId NodeId { get; }

    /// <summary>Raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>The 20-byte peer id sent in the BitTorrent handshake.</summary>
    public byte[] PeerId { get; }

    /// <summary>Loads the identity from <paramref name="dataDirectory"/>, creating it on first start.</summary>
    public static NodeIdentity LoadOrCreate(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        if (!File.Exists(path))
        {
            using Key created = Key.Create(SignatureAlgorithm.Ed25519, parameters);
            byte[] seed = created.Export(KeyBlobFormat.RawPrivateKey);
            try
            {
                OwnerOnlyFile.CreateNew(path, seed);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(seed);
            }
        }

        byte[] raw = OwnerOnlyFile.Read(path, 256, "Node identity key");
        try
        {
            if (raw.Length != 32)
            {
                throw new InvalidDataException($"Node identity key {path} is {raw.Length} bytes, expected 32: the file is damaged.");
            }

            return new NodeIdentity(Key.Import(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPrivateKey, parameters));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (!NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out NSec.Cryptography.PublicKey? key))
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(key!, data, signature);
    }

    public void Dispose() => _key.Dispose();
}
