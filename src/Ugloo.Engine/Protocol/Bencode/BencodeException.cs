namespace Ugloo.Engine.Protocol.Bencode;

/// <summary>
/// Malformed or over-limit bencode. A <see cref="FormatException"/> so callers that treat any format
/// error of peer input as "close this connection" catch it without knowing the type.
/// </summary>
internal sealed class BencodeException : FormatException
{
    public BencodeException(string message, long offset)
        : base($"{message} (at byte offset {offset})")
    {
        Offset = offset;
    }

    /// <summary>Byte offset in the input where the problem was detected.</summary>
    public long Offset { get; }
}
