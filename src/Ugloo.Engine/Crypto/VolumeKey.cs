using System.Security.Cryptography;
using System.Text;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine.Crypto;

/// <summary>
/// The 256-bit root secret of a volume. It never touches data directly: purpose-specific subkeys are
/// derived with HKDF-SHA256 (RFC 5869) so that wrapping object keys and, later, signing or sealing the
/// catalog never share a key. Disposing wipes the key and its subkeys.
/// </summary>
public sealed class VolumeKey : IDisposable
{
    public const int Size = 32;

    private static readonly byte[] s_wrapInfo = Encoding.ASCII.GetBytes("ugloo v1 object-key wrap");

    private readonly byte[] _key = GC.AllocateArray<byte>(Size, pinned: true);
    private readonly byte[] _wrapKey = GC.AllocateArray<byte>(Size, pinned: true);
    private bool _disposed;

    private VolumeKey(ReadOnlySpan<byte> key)
    {
        key.CopyTo(_key);
        HKDF.Expand(HashAlgorithmName.SHA256, _key, _wrapKey, s_wrapInfo);
    }

    /// <summary>A fresh random volume key.</summary>
    public static VolumeKey Generate()
    {
        Span<byte> key = stackalloc byte[Size];
        RandomNumberGenerator.Fill(key);
        try
        {
            return new VolumeKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Copies existing key bytes (the caller wipes its copy).</summary>
    public static VolumeKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != Size)
        {
            throw new ArgumentException($"A volume key is {Size} bytes, not {key.Length}.", nameof(key));
        }

        return new VolumeKey(key);
    }

    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>
    /// Derives a subkey for another purpose (HKDF-Expand with <paramref name="purpose"/> as info). Each
    /// purpose string must be unique to its use, e.g. "ugloo v1 catalog signing".
    /// </summary>
    public void DeriveSubkey(string purpose, Span<byte> destination)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ObjectDisposedException.ThrowIf(_disposed, this);
        HKDF.Expand(HashAlgorithmName.SHA256, _key, destination, Encoding.UTF8.GetBytes(purpose));
    }

    /// <summary>Seals <paramref name="objectKey"/> for the catalog (random nonce, object id as AD).</summary>
    public WrappedObjectKey Wrap(ObjectId objectId, ObjectKey objectKey)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> nonce = stackalloc byte[WrappedObjectKey.NonceSize];
        Span<byte> ciphertext = stackalloc byte[ObjectKey.Size];
        Span<byte> tag = stackalloc byte[WrappedObjectKey.TagSize];
        Span<byte> ad = stackalloc byte[1 + ObjectId.Size];
        RandomNumberGenerator.Fill(nonce);
        WrapAssociatedData(objectId, ad);
        using var aes = new AesGcm(_wrapKey, WrappedObjectKey.TagSize);
        aes.Encrypt(nonce, objectKey.Bytes, ciphertext, tag, ad);
        return WrappedObjectKey.Create(nonce, ciphertext, tag);
    }

    /// <summary>
    /// Opens a wrapped object key. Throws <see cref="AuthenticationFailedException"/> when this is not
    /// the volume key it was wrapped with, or the wrapped key or object id do not match.
    /// </summary>
    public ObjectKey Unwrap(ObjectId objectId, WrappedObjectKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(wrapped);
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> plaintext = stackalloc byte[ObjectKey.Size];
        Span<byte> ad = stackalloc byte[1 + ObjectId.Size];
        WrapAssociatedData(objectId, ad);
        try
        {
            using var aes = new AesGcm(_wrapKey, WrappedObjectKey.TagSize);
            aes.Decrypt(wrapped.Nonce, wrapped.Ciphertext, wrapped.Tag, plaintext, ad);
            return ObjectKey.ForOpening(plaintext);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new AuthenticationFailedException(
                $"The key of object {objectId} failed authentication: wrong volume key, or the wrapped key belongs to another object or was tampered with.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static void WrapAssociatedData(ObjectId objectId, Span<byte> ad)
    {
        ad[0] = (byte)CipherSuite.Aes256Gcm;
        objectId.WriteTo(ad[1..]);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        CryptographicOperations.ZeroMemory(_wrapKey);
        _disposed = true;
    }
}
