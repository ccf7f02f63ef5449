using Spectre.Console;
using Ugloo.Engine;

namespace Ugloo.Mount.Transfer;

/// <summary>
/// A progress bar on stderr while a transfer runs, when stderr is a terminal and the transfer is
/// large (or of unknown size); nothing when output is redirected, so logs and pipes stay clean.
/// </summary>
internal static class TransferProgress
{
    /// <summary>Transfers smaller than this finish before a bar would be worth drawing.</summary>
    public const long MinimumBytes = 16L << 20;

    public static async Task RunAsync(string label, long? totalBytes, Func<long> done, Task work)
    {
        if (Console.IsErrorRedirected || totalBytes is < MinimumBytes)
        {
            await work.ConfigureAwait(false);
            return;
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(label, maxValue: totalBytes ?? 1);
                task.IsIndeterminate = totalBytes is null;
                while (!work.IsCompleted)
                {
                    task.Value = done();
                    if (totalBytes is null)
                    {
                        task.Description = $"{label} {ByteSize.Format(done())}";
                    }

                    await Task.WhenAny(work, Task.Delay(100)).ConfigureAwait(false);
                }

                task.Value = totalBytes ?? done();
            }).ConfigureAwait(false);
        await work.ConfigureAwait(false);
    }
}
