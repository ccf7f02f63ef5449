namespace Ugloo.Mount.Fuse;

/// <summary>A message from /dev/fuse that does not match linux/fuse.h (truncated or malformed).</summary>
internal sealed class FuseProtocolException : Exception
{
    public FuseProtocolException()
    {
    }

    public FuseProtocolException(string message)
        : base(message)
    {
    }

    public FuseProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static void ThrowIfShort(ReadOnlySpan<byte> source, int size, string structName)
    {
        if (source.Length < size)
        {
            throw new FuseProtocolException($"{structName} needs {size} bytes, got {source.Length}");
        }
    }
}
