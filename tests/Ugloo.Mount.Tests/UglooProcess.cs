using System.Diagnostics;

namespace Ugloo.Mount.Tests;

/// <summary>Runs the real <c>ugloo</c> executable (built next to this test assembly) as a child process.</summary>
internal static class UglooProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, CancellationToken cancellationToken, IDictionary<string, string>? environment = null)
    {
        using Process process = Process.Start(CreateStartInfo(args, environment, redirectInput: false)) ?? throw new InvalidOperationException("could not start ugloo");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Runs ugloo with <paramref name="stdin"/> fed to its standard input (closed at its end) and its standard
    /// output copied to <paramref name="stdout"/> as bytes (a file's content with <c>get PATH -</c>).
    /// </summary>
    public static async Task<(int ExitCode, string Stderr)> RunWithStreamsAsync(string[] args, Stream? stdin, Stream stdout, CancellationToken cancellationToken)
    {
        using Process process = Process.Start(CreateStartInfo(args, null, redirectInput: true)) ?? throw new InvalidOperationException("could not start ugloo");
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        Task copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, cancellationToken);
        Task feed = Task.Run(
            async () =>
            {
                try
                {
                    if (stdin is not null)
                    {
                        await stdin.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
                    }
                }
                catch (IOException)
                {
                    // ugloo exited before reading everything; its exit code tells why.
                }
                finally
                {
                    process.StandardInput.Close();
                }
            },
            cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        await Task.WhenAll(copyOut, feed);
        return (process.ExitCode, await stderr);
    }

    /// <summary>A start description for ugloo with every stream redirected (stdin only when asked).</summary>
    public static ProcessStartInfo CreateStartInfo(string[] args, IDictionary<string, string>? environment, bool redirectInput)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "ugloo.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }
}
