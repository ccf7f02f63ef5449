using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine;

/// <summary>Swarm client messages: event ids 5500-5999.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5500, Level = LogLevel.Debug, Message = "Connection to node {Address} lost: {Reason}")]
    public static partial void PeerConnectionLost(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 5501, Level = LogLevel.Warning, Message = "Storing fragment {FragmentId} on node {Address} failed: {Reason}")]
    public static partial void FragmentStoreFailed(ILogger logger, FragmentId fragmentId, string address, string reason);

    [LoggerMessage(EventId = 5502, Level = LogLevel.Information, Message = "Segment {SegmentIndex} of object {ObjectId} acknowledged with {Stored} of {Total} fragments; the rest continue in the background")]
    public static partial void SegmentAcknowledgedEarly(ILogger logger, int segmentIndex, ObjectId objectId, int stored, int total);

    [LoggerMessage(EventId = 5503, Level = LogLevel.Debug, Message = "Fetching fragment {FragmentId} from node {Address} failed: {Reason}")]
    public static partial void FragmentFetchFailed(ILogger logger, FragmentId fragmentId, string address, string reason);
}
