namespace Ugloo.Engine.Crypto;

/// <summary>A volume key file cannot be used: unsafe permissions, wrong format, or a passphrase is needed.</summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException()
    {
    }

    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
