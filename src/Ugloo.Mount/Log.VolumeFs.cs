using Microsoft.Extensions.Logging;

namespace Ugloo.Mount;

/// <summary>
/// Source-generated log messages of the mounted volume (<c>VolumeFs</c>), event ids 9500-9599. Volume paths
/// are never logged (file names may be private); node ids and staging file names (random) are.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9500, Level = LogLevel.Error, Message = "Cannot store node {Node} durably; nothing was recorded and its staging file {Staging} is kept: {Reason}")]
    public static partial void CommitNotDurable(ILogger logger, ulong node, string staging, string reason);

    [LoggerMessage(EventId = 9501, Level = LogLevel.Error, Message = "Committing node {Node} on release failed; its staging file {Staging} is kept")]
    public static partial void CommitOnReleaseFailed(ILogger logger, Exception exception, ulong node, string staging);

    [LoggerMessage(EventId = 9502, Level = LogLevel.Error, Message = "Reading node {Node} from the swarm failed: {Reason}")]
    public static partial void SwarmReadFailed(ILogger logger, ulong node, string reason);

    [LoggerMessage(EventId = 9503, Level = LogLevel.Warning, Message = "Uploading {Path} from the write-back journal failed (attempt {Attempt}); it stays queued and is retried in {Delay}: {Reason}")]
    public static partial void JournalUploadFailed(ILogger logger, string path, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 9504, Level = LogLevel.Error, Message = "The write-back journal lists {Path} but its staged copy {Staging} is gone; the entry is dropped")]
    public static partial void JournalStagingMissing(ILogger logger, string path, string staging);

    [LoggerMessage(EventId = 9505, Level = LogLevel.Information, Message = "Replaying {Count} closed files ({Bytes} bytes) from the write-back journal")]
    public static partial void JournalReplay(ILogger logger, int count, long bytes);

    [LoggerMessage(EventId = 9506, Level = LogLevel.Warning, Message = "The segment cache file {File} is damaged (length or checksum); it is deleted and the segment fetched from the nodes")]
    public static partial void SegmentCacheCorrupt(ILogger logger, string file);

    [LoggerMessage(EventId = 9507, Level = LogLevel.Warning, Message = "Cannot write the segment cache file {File}; the segment is not cached: {Reason}")]
    public static partial void SegmentCacheWriteFailed(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 9527, Level = LogLevel.Warning, Message = "The segment cache's writer failed unexpectedly on one segment; it goes on with the next")]
    public static partial void SegmentCacheWriterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9528, Level = LogLevel.Critical, Message = "The catalog's write-ahead log could not be flushed to disk: closes now fail with EIO until the mount restarts (files closed before are kept)")]
    public static partial void JournalFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9520, Level = LogLevel.Debug, Message = "Stored {Path} as a revision: {Rewritten} of {Segments} segments written, the others shared with the version it was opened over")]
    public static partial void RevisionStored(ILogger logger, string path, int rewritten, int segments);

    [LoggerMessage(EventId = 9521, Level = LogLevel.Error, Message = "The write-back journal's copy of {Path} builds on version {Version}, which cannot be loaded ({Reason}); the entry is dropped and its staged copy kept at {Staging}")]
    public static partial void JournalBaseMissing(ILogger logger, string path, long version, string reason, string staging);

    [LoggerMessage(EventId = 9522, Level = LogLevel.Debug, Message = "Committed {Staging}: {Ahead} of {Segments} segments were sent while the file was written")]
    public static partial void WriteBehindUsed(ILogger logger, string staging, int ahead, int segments);

    [LoggerMessage(EventId = 9523, Level = LogLevel.Debug, Message = "Stored {Files} small files ({Bytes} bytes) as one pack object {Object}")]
    public static partial void PackStored(ILogger logger, int files, long bytes, Ugloo.Engine.Objects.ObjectId @object);

    [LoggerMessage(EventId = 9525, Level = LogLevel.Warning, Message = "Moved {Count} staged copies ({Bytes} bytes) that the write-back journal does not name to {LostFound}: files still open when the daemon was killed or stopped (no version was made of them), or copies kept after a failed commit. Delete them once nothing there is needed")]
    public static partial void StagingOrphansMoved(ILogger logger, int count, long bytes, string lostFound);

    [LoggerMessage(EventId = 9526, Level = LogLevel.Error, Message = "Could not set aside the staged copy {Staging}, which the write-back journal does not name")]
    public static partial void StagingOrphanNotRemoved(ILogger logger, string staging, Exception exception);

    [LoggerMessage(EventId = 9524, Level = LogLevel.Warning, Message = "Checking the catalog for changes by other processes failed; the kernel may show them late")]
    public static partial void CatalogWatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9529, Level = LogLevel.Warning, Message = "Could not keep the stored pack {ObjectId} in the segment cache; its files will be fetched from the nodes when read")]
    public static partial void PackNotCached(ILogger logger, Ugloo.Engine.Objects.ObjectId objectId, Exception exception);
}
