using Microsoft.Extensions.Logging;

namespace Ugloo.Mount;

/// <summary>S3 gateway events: 9600-9699.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9600, Level = LogLevel.Information, Message = "S3 gateway listening on http://{Address}")]
    public static partial void S3Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 9601, Level = LogLevel.Debug, Message = "S3 {Method} refused: {Code}: {Reason}")]
    public static partial void S3RequestRefused(ILogger logger, string method, string code, string reason);

    [LoggerMessage(EventId = 9602, Level = LogLevel.Error, Message = "S3 {Method} {Path} failed")]
    public static partial void S3RequestFailed(ILogger logger, Exception exception, string method, string? path);

    [LoggerMessage(EventId = 9603, Level = LogLevel.Warning, Message = "Removed {Count} multipart upload(s) left unfinished for longer than {Days} days")]
    public static partial void S3StaleUploadsRemoved(ILogger logger, int count, int days);
}
