namespace Ugloo.Engine.Crypto;

/// <summary>
/// One segment of an object failed authentication: a wrong object key, a segment that was tampered with,
/// moved to another position or object, or a truncated object (the last segment is sealed as last).
/// </summary>
public sealed class SegmentAuthenticationException : AuthenticationFailedException
{
    public SegmentAuthenticationException(string objectId, int segmentIndex, Exception innerException)
        : base($"Segment {segmentIndex} of object {objectId} failed authentication: wrong key, or the segment was tampered with, reordered or truncated.", innerException)
    {
        ObjectId = objectId;
        SegmentIndex = segmentIndex;
    }

    public SegmentAuthenticationException()
    {
        ObjectId = string.Empty;
    }

    public SegmentAuthenticationException(string message)
        : base(message)
    {
        ObjectId = string.Empty;
    }

    public SegmentAuthenticationException(string message, Exception innerException)
        : base(message, innerException)
    {
        ObjectId = string.Empty;
    }

    /// <summary>The object id in hex (object ids are public).</summary>
    public string ObjectId { get; }

    /// <summary>The zero-based index of the segment that failed.</summary>
    public int SegmentIndex { get; }
}
