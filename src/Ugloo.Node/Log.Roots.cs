using Microsoft.Extensions.Logging;

namespace Ugloo.Node;

/// <summary>Catalog root pointers, event ids 8300-8399. Volume ids are public keys; pointers hold nothing secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 8300, Level = LogLevel.Debug, Message = "Root pointer from {Remote}: {Outcome}, holding sequence {Sequence} {Reason}")]
    public static partial void RootPut(ILogger logger, string remote, Roots.RootPutStatus outcome, long sequence, string? reason);
}
