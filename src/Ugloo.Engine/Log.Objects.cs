using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine;

/// <summary>Crypto and object pipeline messages, event ids 2000-2999. Keys and plaintext are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Sealed object {ObjectId}: {PlaintextSize} bytes in {SegmentCount} segments, RS({DataFragments},{ParityFragments})")]
    public static partial void ObjectWritten(ILogger logger, ObjectId objectId, long plaintextSize, int segmentCount, int dataFragments, int parityFragments);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Rejected fragment {FragmentIndex} of segment {SegmentIndex} of object {ObjectId}: expected id {Expected}, got bytes hashing to {Actual}")]
    public static partial void FragmentRejected(ILogger logger, ObjectId objectId, int segmentIndex, int fragmentIndex, FragmentId expected, FragmentId actual);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Rebuilt {MissingData} data fragments of segment {SegmentIndex} of object {ObjectId} from parity")]
    public static partial void SegmentReconstructed(ILogger logger, ObjectId objectId, int segmentIndex, int missingData);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Segment {SegmentIndex} of object {ObjectId} failed authentication")]
    public static partial void SegmentAuthenticationFailed(ILogger logger, ObjectId objectId, int segmentIndex);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Segment {SegmentIndex} of object {ObjectId} is unreadable: {Good} good fragments, {Required} required")]
    public static partial void SegmentUnavailable(ILogger logger, ObjectId objectId, int segmentIndex, int good, int required);
}
