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
}
