namespace Ugloo.Engine.Crypto;

/// <summary>
/// Identifies how an object's segments are sealed, so the format can change without guessing. Stored in
/// the manifest and in every wrapped key; readers refuse a suite they do not know.
/// </summary>
public enum CipherSuite : byte
{
    /// <summary>
    /// AES-256-GCM with a fresh random 256-bit key per object, 96-bit nonce = segment index, 128-bit tag
    /// and the associated data described in <see cref="SegmentCipher"/>. Object keys are wrapped with
    /// AES-256-GCM under an HKDF-SHA256 subkey of the volume key, random 96-bit nonce, object id as AD.
    /// </summary>
    Aes256Gcm = 1,
}
