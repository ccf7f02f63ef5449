namespace Ugloo.Engine.Crypto;

/// <summary>
/// Cost of the Argon2id (RFC 9106) derivation that turns a passphrase into the key protecting a volume
/// key file. Stored in the file, so a file always opens with the settings it was written with.
/// </summary>
public sealed class Argon2idSettings
{
    /// <summary>Largest memory a key file may ask for (4 GiB), so a hostile file cannot exhaust memory.</summary>
    public const int MaxMemoryKiB = 4 * 1024 * 1024;

    /// <summary>Smallest memory libsodium accepts (8 KiB).</summary>
    public const int MinMemoryKiB = 8;

    /// <summary>Most passes a key file may ask for, so a hostile file cannot hang the client.</summary>
    public const int MaxPasses = 64;

    /// <summary>
    /// Memory per derivation in KiB. Default 65536 (64 MiB), libsodium's "interactive" memory and above
    /// OWASP's 19 MiB floor; raising it makes guessing passphrases proportionally dearer for attackers
    /// with a stolen key file.
    /// </summary>
    public int MemoryKiB { get; set; } = 64 * 1024;

    /// <summary>Passes over the memory. Default 3 (about a quarter second on a current core).</summary>
    public int Passes { get; set; } = 3;

    /// <summary>Lanes. Always 1: libsodium's Argon2id implementation supports only one lane.</summary>
    public const int Parallelism = 1;

    internal void Validate()
    {
        if (MemoryKiB is < MinMemoryKiB or > MaxMemoryKiB)
        {
            throw new ArgumentOutOfRangeException(nameof(MemoryKiB), MemoryKiB, $"Argon2id memory must be {MinMemoryKiB}..{MaxMemoryKiB} KiB.");
        }

        if (Passes is < 1 or > MaxPasses)
        {
            throw new ArgumentOutOfRangeException(nameof(Passes), Passes, $"Argon2id passes must be 1..{MaxPasses}.");
        }
    }
}
