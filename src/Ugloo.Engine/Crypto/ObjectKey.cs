using System.Security.Cryptography;

namespace Ugloo.Engine.Crypto;

/// <summary>
/// The random AES-256 key of one object. It seals exactly one object: segment nonces are the segment
/// indices, so sealing a second object under the same key would reuse nonces, which breaks GCM
/// (keystream reuse and tag forgery). A key therefore refuses a second write, and a key obtained by
/// unwrapping can only open. Disposing wipes the key bytes.
/// </summary>
public sealed class ObjectKey : IDisposable
{
    public const int Size = 32;

    // Pinned so the GC never moves it and leaves stale copies of the key behind in the heap.
    private readonly byte[] _key = GC.AllocateArray<byte>(Size, pinned: true);
    private int _sealClaimed;
    private bool _disposed;

    private ObjectKey(bool canSeal)
    {
        _sealClaimed = canSeal ? 0 : 1;
    }

    /// <summary>Makes a fresh key from the OS CSPRNG, good for sealing one object.</summary>
    public static ObjectKey Generate()
    {
        var key = new ObjectKey(canSeal: true);
        RandomNumberGenerator.Fill(key._key);
        return key;
    }

    /// <summary>Wraps existing key bytes (copied) for opening only.</summary>
    internal static ObjectKey ForOpening(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"An object key is {Size} bytes.", nameof(bytes));
        }

        var key = new ObjectKey(canSeal: false);
        bytes.CopyTo(key._key);
        return key;
    }

    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    /// <summary>True until a write has used the key (never for unwrapped keys).</summary>
    public bool CanSeal => Volatile.Read(ref _sealClaimed) == 0 && !_disposed;

    internal void ClaimForSealing()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _sealClaimed, 1) != 0)
        {
            throw new InvalidOperationException(
                "This object key has already sealed an object or was unwrapped from a manifest; sealing again would reuse GCM nonces. Use ObjectKey.Generate() for every write.");
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _disposed = true;
    }
}
