using Microsoft.Extensions.Logging;

namespace Ugloo.Node;

// Segment records and repair: event ids 8400-8499. Segment keys and fragment ids are public hashes.
internal static partial class Log
{
    [LoggerMessage(EventId = 8400, Level = LogLevel.Warning, Message = "Could not record segment {SegmentKey}: {Reason}")]
    public static partial void SegmentRecordFailed(ILogger logger, string segmentKey, string reason);

    [LoggerMessage(EventId = 8401, Level = LogLevel.Information, Message = "Repair: {Queued} segments to rebuild ({Responsible} this node is responsible for, of {Held} it holds fragments of)")]
    public static partial void RepairQueued(ILogger logger, int queued, int responsible, int held);

    [LoggerMessage(EventId = 8402, Level = LogLevel.Information, Message = "Rebuilt fragment {FragmentId} (index {Index} of segment {SegmentKey}) and stored it on {Target}")]
    public static partial void FragmentRebuilt(ILogger logger, Engine.Objects.FragmentId fragmentId, int index, string segmentKey, string target);

    [LoggerMessage(EventId = 8403, Level = LogLevel.Warning, Message = "Repair of segment {SegmentKey}: only {Found} of the {Needed} fragments needed could be fetched; retrying next round")]
    public static partial void RepairGatherFailed(ILogger logger, string segmentKey, int found, int needed);

    [LoggerMessage(EventId = 8404, Level = LogLevel.Error, Message = "Segment {SegmentKey} has {Present} fragments on reachable members, fewer than the {Needed} needed: unreadable until a member holding more returns")]
    public static partial void SegmentUnrecoverable(ILogger logger, string segmentKey, int present, int needed);

    [LoggerMessage(EventId = 8405, Level = LogLevel.Error, Message = "Rebuilt fragment {Index} of segment {SegmentKey} does not hash to its recorded id {FragmentId}; not stored")]
    public static partial void RebuiltFragmentMismatch(ILogger logger, string segmentKey, int index, Engine.Objects.FragmentId fragmentId);

    [LoggerMessage(EventId = 8406, Level = LogLevel.Debug, Message = "Repair: {Address} did not answer: {Reason}")]
    public static partial void RepairPeerFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 8407, Level = LogLevel.Information, Message = "Moved fragment {FragmentId} of segment {SegmentKey} to its home {Target} ({How}) and deleted the local copy")]
    public static partial void FragmentMoved(ILogger logger, Engine.Objects.FragmentId fragmentId, string segmentKey, string target, string how);
}
