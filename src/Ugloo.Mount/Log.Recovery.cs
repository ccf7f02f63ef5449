using Microsoft.Extensions.Logging;

namespace Ugloo.Mount;

/// <summary>Catalog backup and recovery, event ids 9600-9699.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9600, Level = LogLevel.Information, Message = "Catalog backed up: sequence {Sequence}, {SnapshotBytes} bytes, pointer held by {Holding} of {Asked} nodes")]
    public static partial void CatalogBackedUp(ILogger logger, long sequence, long snapshotBytes, int holding, int asked);

    [LoggerMessage(EventId = 9601, Level = LogLevel.Warning, Message = "Catalog backup failed; retrying at the next change or interval: {Reason}")]
    public static partial void CatalogBackupFailed(ILogger logger, string reason);
}
