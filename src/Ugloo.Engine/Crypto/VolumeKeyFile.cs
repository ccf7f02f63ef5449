using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Ugloo.Engine.Crypto;

/// <summary>
/// Stores a <see cref="VolumeKey"/> on disk, either as is in a file only its owner can read, or sealed
/// under a passphrase with Argon2id. Layout (big-endian):
/// <code>
/// offset size field
///      0    8 magic "UGLOOKEY"
///      8    1 format version (1)
///      9    1 kind: 1 = plain key, 2 = passphrase-protected
/// kind 1:
///     10   32 volume key                                   (42 bytes in all)
/// kind 2:
///     10    4 Argon2id memory in KiB
///     14    4 Argon2id passes
///     18    4 Argon2id parallelism (1)
///     22   16 random salt
///     38   12 random nonce
///     50   32 volume key sealed with AES-256-GCM under the Argon2id output
///     82   16 GCM tag                                      (98 bytes in all)
/// </code>
/// The AD of the seal is bytes 0..50, so the stored cost parameters are authenticated too. Both kinds
/// are created with mode 0600 on Unix; a plain key file readable by group or others is refused.
/// A passphrase-protected file stays loadable with looser modes (it resists offline guessing only as
/// well as the passphrase does, so keep it private anyway).
/// </summary>
public static class VolumeKeyFile
{
    private const int PlainLength = 42;
    private const int ProtectedLength = 98;
    private const int HeaderLength = 10;
    private const int SaltSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const byte Version = 1;
    private const byte KindPlain = 1;
    private const byte KindPassphrase = 2;

    private static ReadOnlySpan<byte> Magic => "UGLOOKEY"u8;

    /// <summary>Writes <paramref name="key"/> in the clear to a new file with mode 0600. Never overwrites.</summary>
    public static void Save(string path, VolumeKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> file = stackalloc byte[PlainLength];
        try
        {
            WriteHeader(file, KindPlain);
            key.Bytes.CopyTo(file[HeaderLength..]);
            OwnerOnlyFile.CreateNew(path, file);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(file);
        }
    }

    /// <summary>
    /// Writes <paramref name="key"/> sealed under <paramref name="passphrase"/> to a new file with mode 0600.
    /// <paramref name="settings"/> defaults to <see cref="Argon2idSettings"/>' defaults.
    /// </summary>
    public static void SaveWithPassphrase(string path, VolumeKey key, string passphrase, Argon2idSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        settings ??= new Argon2idSettings();
        settings.Validate();

        Span<byte> file = stackalloc byte[ProtectedLength];
        Span<byte> kek = stackalloc byte[VolumeKey.Size];
        try
        {
            WriteHeader(file, KindPassphrase);
            BinaryPrimitives.WriteUInt32BigEndian(file[10..], (uint)settings.MemoryKiB);
            BinaryPrimitives.WriteUInt32BigEndian(file[14..], (uint)settings.Passes);
            BinaryPrimitives.WriteUInt32BigEndian(file[18..], (uint)Argon2idSettings.Parallelism);
            RandomNumberGenerator.Fill(file.Slice(22, SaltSize + NonceSize));
            DeriveKek(passphrase, settings.MemoryKiB, settings.Passes, file.Slice(22, SaltSize), kek);
            using (var aes = new AesGcm(kek, TagSize))
            {
                aes.Encrypt(file.Slice(38, NonceSize), key.Bytes, file.Slice(50, VolumeKey.Size), file.Slice(82, TagSize), file[..50]);
            }

            OwnerOnlyFile.CreateNew(path, file);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(file);
        }
    }

    /// <summary>True when the key file at <paramref name="path"/> needs a passphrase to load.</summary>
    public static bool RequiresPassphrase(string path)
    {
        byte[] file = OwnerOnlyFile.ReadSmall(path, ProtectedLength, "Volume key file");
        try
        {
            return ParseKind(path, file) == KindPassphrase;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(file);
        }
    }

    /// <summary>
    /// Loads a volume key. A plain key file must not be accessible to group or others on Unix
    /// (<see cref="KeyFileException"/> otherwise); a protected one needs <paramref name="passphrase"/>
    /// and throws <see cref="AuthenticationFailedException"/> when it is wrong.
    /// </summary>
    public static VolumeKey Load(string path, string? passphrase = null)
    {
        byte[] file = OwnerOnlyFile.ReadSmall(path, ProtectedLength, "Volume key file");
        try
        {
            byte kind = ParseKind(path, file);
            if (kind == KindPlain)
            {
                OwnerOnlyFile.EnsureOwnerOnly(path, "Key file");
                return VolumeKey.FromBytes(file.AsSpan(HeaderLength, VolumeKey.Size));
            }

            if (string.IsNullOrEmpty(passphrase))
            {
                throw new KeyFileException($"Key file '{path}' is protected by a passphrase; supply it to unlock the volume key.");
            }

            return Unseal(path, file, passphrase);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(file);
        }
    }

    private static VolumeKey Unseal(string path, byte[] file, string passphrase)
    {
        uint memory = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(10));
        uint passes = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(14));
        uint lanes = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(18));

        // The parameters are read before they are authenticated, so bound them before spending memory.
        if (memory is < Argon2idSettings.MinMemoryKiB or > Argon2idSettings.MaxMemoryKiB || passes is < 1 or > Argon2idSettings.MaxPasses || lanes != 1)
        {
            throw new KeyFileException($"Key file '{path}' has unsupported Argon2id parameters (memory {memory} KiB, passes {passes}, lanes {lanes}).");
        }

        Span<byte> kek = stackalloc byte[VolumeKey.Size];
        Span<byte> key = stackalloc byte[VolumeKey.Size];
        try
        {
            DeriveKek(passphrase, (int)memory, (int)passes, file.AsSpan(22, SaltSize), kek);
            using var aes = new AesGcm(kek, TagSize);
            aes.Decrypt(file.AsSpan(38, NonceSize), file.AsSpan(50, VolumeKey.Size), file.AsSpan(82, TagSize), key, file.AsSpan(0, 50));
            return VolumeKey.FromBytes(key);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new AuthenticationFailedException($"Wrong passphrase for key file '{path}', or the file is damaged.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void DeriveKek(string passphrase, int memoryKiB, int passes, ReadOnlySpan<byte> salt, Span<byte> kek)
    {
        var parameters = new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKiB,
            NumberOfPasses = passes,
        };
        var argon = PasswordBasedKeyDerivationAlgorithm.Argon2id(parameters);

        // .NET strings cannot be wiped; at least the UTF-8 copy made here is.
        byte[] utf8 = new byte[Encoding.UTF8.GetMaxByteCount(passphrase.Length)];
        try
        {
            int length = Encoding.UTF8.GetBytes(passphrase, utf8);
            argon.DeriveBytes(utf8.AsSpan(0, length), salt, kek);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(utf8);
        }
    }

    private static void WriteHeader(Span<byte> file, byte kind)
    {
        Magic.CopyTo(file);
        file[8] = Version;
        file[9] = kind;
    }

    private static byte ParseKind(string path, ReadOnlySpan<byte> file)
    {
        if (file.Length < HeaderLength || !file[..8].SequenceEqual(Magic))
        {
            throw new KeyFileException($"'{path}' is not an Ugloo volume key file.");
        }

        if (file[8] != Version)
        {
            throw new KeyFileException($"Key file '{path}' has unsupported version {file[8]}.");
        }

        int expected = file[9] switch
        {
            KindPlain => PlainLength,
            KindPassphrase => ProtectedLength,
            _ => throw new KeyFileException($"Key file '{path}' has unknown kind {file[9]}."),
        };
        if (file.Length != expected)
        {
            throw new KeyFileException($"Key file '{path}' is {file.Length} bytes; expected {expected}. It is truncated or damaged.");
        }

        return file[9];
    }
}
