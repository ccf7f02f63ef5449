using Microsoft.Extensions.Logging;

namespace Ugloo.Mount.Volume;

/// <summary>
/// The engine's log for client commands: off unless <c>--verbose</c>, and then on stderr, because stdout
/// may carry a file's bytes (<c>ugloo get PATH -</c>).
/// </summary>
internal static class ClientLogging
{
    public static ILoggerFactory Create(bool verbose) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.None);
            if (verbose)
            {
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                builder.AddSimpleConsole(o => o.SingleLine = true);
            }
        });
}
