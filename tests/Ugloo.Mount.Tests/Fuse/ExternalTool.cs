using System.Diagnostics;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>Runs a command-line tool (cp, diff, rsync, df, stat) against a mount and captures its output.</summary>
internal static class ExternalTool
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"'{file}' is not installed ({e.Message}); .ci/run installs the Debian packages the tests need");
            throw;
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            Task<string> error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output, await error);
        }
    }

    /// <summary>Runs the tool and fails the test with its stderr if it exits non-zero.</summary>
    public static async Task<string> RunCheckedAsync(string file, params string[] arguments)
    {
        (int exitCode, string output, string error) = await RunAsync(file, arguments);
        Assert.True(exitCode == 0, $"{file} {string.Join(' ', arguments)} exited {exitCode}: {error}{output}");
        return output;
    }
}
