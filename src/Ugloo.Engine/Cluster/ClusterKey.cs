using System.Security.Cryptography;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Cluster;

/// <summary>
/// The shared secret that makes a node a member of a cluster: only holders may store fragments. It
/// never crosses the wire (the extended handshake proves it by challenge-response). Kept as 64 hex
/// characters in an owner-only file so it can be copied between machines by hand.
/// </summary>
public static class ClusterKey
{
    public const int Size = 32;

    /// <summary>Writes a fresh random key to <paramref name="path"/> (mode 0600); fails if the file exists.</summary>
    public static byte[] Create(string path)
    {
        byte[] key = RandomNumberGenerator.GetBytes(Size);
        OwnerOnlyFile.CreateNew(path, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(key) + "\n"));
        return key;
    }

    public static byte[] Load(string path)
    {
        byte[] raw = OwnerOnlyFile.Read(path, 256, "Cluster key");
        string text = System.Text.Encoding.ASCII.GetString(raw).Trim();
        CryptographicOperations.ZeroMemory(raw);
        if (text.Length != Size * 2)
        {
            throw new InvalidDataException($"Cluster key {path} must hold {Size * 2} hex digits.");
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"Cluster key {path} must hold {Size * 2} hex digits.");
        }
    }
}
