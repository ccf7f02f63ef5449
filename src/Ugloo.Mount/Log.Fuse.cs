using Microsoft.Extensions.Logging;

namespace Ugloo.Mount;

/// <summary>
/// Source-generated log messages of the FUSE binding, event ids 9000-9499: 9000 mount and unmount,
/// 9100 the request loop. File names are never logged (they may be private); node ids and opcodes are.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Mounted {MountPoint}: FUSE 7.{Minor}, max_write {MaxWrite}, flags {Flags}")]
    public static partial void FuseMounted(ILogger logger, string mountPoint, uint minor, uint maxWrite, Fuse.FuseInitFlags flags);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Unmounted {MountPoint}")]
    public static partial void FuseUnmounted(ILogger logger, string mountPoint);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "{MountPoint} is busy; detached it lazily (MNT_DETACH): it disappears when the last open file closes")]
    public static partial void FuseLazyUnmount(ILogger logger, string mountPoint);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "The FUSE session of {MountPoint} did not end after unmount; aborting connection {Connection}")]
    public static partial void FuseAbortingConnection(ILogger logger, string mountPoint, string connection);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Error, Message = "umount2({MountPoint}) failed with errno {Errno}")]
    public static partial void FuseUnmountFailed(ILogger logger, string mountPoint, int errno);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Error, Message = "The kernel offered FUSE {Major}.{Minor}; at least 7.{Required} is required")]
    public static partial void FuseProtocolTooOld(ILogger logger, uint major, uint minor, uint required);

    [LoggerMessage(EventId = 9100, Level = LogLevel.Error, Message = "{Opcode} on node {Node} failed unexpectedly; answered EIO")]
    public static partial void FuseHandlerFailed(ILogger logger, string opcode, ulong node, Exception exception);

    [LoggerMessage(EventId = 9101, Level = LogLevel.Warning, Message = "Writing the reply to {Opcode} (unique {Unique}) failed with errno {Errno}")]
    public static partial void FuseReplyFailed(ILogger logger, string opcode, ulong unique, int errno);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Error, Message = "Reading /dev/fuse failed with errno {Errno}; the session ends")]
    public static partial void FuseReadFailed(ILogger logger, int errno);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Error, Message = "Malformed FUSE request ({Length} bytes); answered EIO")]
    public static partial void FuseMalformedRequest(ILogger logger, int length, Exception exception);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Debug, Message = "INTERRUPT of request {Unique}: {Outcome}")]
    public static partial void FuseInterrupt(ILogger logger, ulong unique, string outcome);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Warning, Message = "Writing a {Notification} notification to /dev/fuse failed with errno {Errno}")]
    public static partial void FuseNotifyFailed(ILogger logger, string notification, int errno);
}
