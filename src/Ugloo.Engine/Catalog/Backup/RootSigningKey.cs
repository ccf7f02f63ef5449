using System.Security.Cryptography;
using NSec.Cryptography;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Catalog.Backup;

/// <summary>
/// The Ed25519 key that signs a volume's catalog root pointer. Its seed is an HKDF subkey of the volume key
/// (purpose "ugloo-catalog-root-v1"), so whoever holds the volume key can re-derive it on a new machine, and
/// its public key is the volume id under which nodes keep the pointer: a node verifies a pointer against the
/// id it is filed under without knowing any secret, and a wrong volume key simply finds no pointer.
/// </summary>
public sealed class RootSigningKey : IDisposable
{
    public const string Purpose = "ugloo-catalog-root-v1";
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    private readonly Key _key;

    private RootSigningKey(Key key)
    {
        _key = key;
        VolumeId = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The raw Ed25519 public key: the volume id nodes file the root pointer under.</summary>
    public byte[] VolumeId { get; }

    public static RootSigningKey Derive(VolumeKey volumeKey)
    {
        ArgumentNullException.ThrowIfNull(volumeKey);
        byte[] seed = GC.AllocateArray<byte>(32, pinned: true);
        try
        {
            volumeKey.DeriveSubkey(Purpose, seed);
            return new RootSigningKey(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <summary>True when <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="data"/> under <paramref name="publicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize ||
            !PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out PublicKey? key))
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(key!, data, signature);
    }

    public void Dispose() => _key.Dispose();
}
