using Microsoft.Extensions.Logging;
using Ugloo.Engine.Objects;

namespace Ugloo.Engine;

// Fragment store: event ids 4000-4999. Fragment ids are content hashes of ciphertext, safe to log.
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Data directory {Directory} (id {DirectoryId}) holds {FragmentCount} fragments, {UsedBytes} bytes, {QuarantinedCount} quarantined")]
    public static partial void DataDirectoryOpened(ILogger logger, string directory, string directoryId, int fragmentCount, long usedBytes, int quarantinedCount);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Deleted {Count} unfinished writes left in {Directory} by an earlier run")]
    public static partial void TempLeftoversDeleted(ILogger logger, string directory, int count);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Fragment {FragmentId} in {Directory} failed its check ({Reason}); moved to quarantine")]
    public static partial void FragmentQuarantined(ILogger logger, FragmentId fragmentId, string directory, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Fragment {FragmentId} vanished from {Directory} behind the store's back; dropped from the index")]
    public static partial void FragmentVanished(ILogger logger, FragmentId fragmentId, string directory);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "Unexpected file {File} in the fragment tree; moved to quarantine")]
    public static partial void StrayFileQuarantined(ILogger logger, string file);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Fragment {FragmentId} is present in both {Kept} and {Removed}; removed the second copy")]
    public static partial void DuplicateFragmentRemoved(ILogger logger, string fragmentId, string kept, string removed);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Information, Message = "Refused fragment {FragmentId}: {Reason}")]
    public static partial void StoreRefused(ILogger logger, FragmentId fragmentId, string reason);

    [LoggerMessage(EventId = 4007, Level = LogLevel.Warning, Message = "Refused fragment {FragmentId}: its bytes hash to {ActualId}")]
    public static partial void StoreHashMismatch(ILogger logger, FragmentId fragmentId, FragmentId actualId);

    [LoggerMessage(EventId = 4008, Level = LogLevel.Error, Message = "Could not quarantine {File}")]
    public static partial void QuarantineFailed(ILogger logger, string file, Exception exception);
}
