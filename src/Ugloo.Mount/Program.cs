using System.CommandLine;
using System.Runtime.InteropServices;
using Ugloo.Mount.Cli;
using Ugloo.Mount.Volume;

// Ctrl-C and SIGTERM cancel the command's token and the command winds down by itself ('ugloo up' stops its
// nodes, which can take longer than System.CommandLine's 2 s termination timeout, so that handler is off).
// A second signal is not intercepted: it ends the process at once.
using var cancellation = new CancellationTokenSource();
PosixSignalRegistration? sigint = null, sigterm = null;
void OnSignal(PosixSignalContext context)
{
    if (!cancellation.IsCancellationRequested)
    {
        context.Cancel = true;
        cancellation.Cancel();
    }
}

sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
if (!OperatingSystem.IsWindows())
{
    sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
}

try
{
    var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
    return await UglooCommand.Create().Parse(args).InvokeAsync(configuration, cancellation.Token);
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"ugloo: {ex.Message}");
    return 2;
}
catch (VolumeException ex)
{
    Console.Error.WriteLine($"ugloo: {ex.Message}");
    return 1;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
{
    // Local disk trouble (full, read-only, no permission): the message names the file.
    Console.Error.WriteLine($"ugloo: {ex.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("ugloo: cancelled");
    return 130;
}
finally
{
    sigint.Dispose();
    sigterm?.Dispose();
}
