using Microsoft.Extensions.Logging;

namespace Ugloo.Node;

// Scrub: event ids 8300-8349.
internal static partial class Log
{
    [LoggerMessage(EventId = 8300, Level = LogLevel.Information, Message = "Scrub pass finished: {Fragments} fragments ({Bytes} bytes) checked, {Errors} bad")]
    public static partial void ScrubPassFinished(ILogger logger, int fragments, long bytes, long errors);

    [LoggerMessage(EventId = 8301, Level = LogLevel.Warning, Message = "Scrub: fragment {FragmentId} failed its check and was quarantined")]
    public static partial void ScrubFoundBadFragment(ILogger logger, Engine.Objects.FragmentId fragmentId);

    [LoggerMessage(EventId = 8302, Level = LogLevel.Warning, Message = "Scrub could not read fragment {FragmentId}: {Reason}")]
    public static partial void ScrubReadFailed(ILogger logger, Engine.Objects.FragmentId fragmentId, string reason);
}
