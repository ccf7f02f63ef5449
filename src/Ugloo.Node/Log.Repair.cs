using Microsoft.Extensions.Logging;

namespace Ugloo.Node;

// Segment records and repair: event ids 8400-8499. Segment keys and fragment ids are public hashes.
internal static partial class Log
{
    [LoggerMessage(EventId = 8400, Level = LogLevel.Warning, Message = "Could not record segment {SegmentKey}: {Reason}")]
    public static partial void SegmentRecordFailed(ILogger logger, string segmentKey, string reason);
}
