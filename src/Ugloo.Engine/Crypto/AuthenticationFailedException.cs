using System.Security.Cryptography;

namespace Ugloo.Engine.Crypto;

/// <summary>
/// Sealed data did not authenticate: the key is wrong or the bytes were changed. Never accompanied by
/// plaintext: AES-GCM checks the tag before anything is released.
/// </summary>
public class AuthenticationFailedException : CryptographicException
{
    public AuthenticationFailedException()
    {
    }

    public AuthenticationFailedException(string message)
        : base(message)
    {
    }

    public AuthenticationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
