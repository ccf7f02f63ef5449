using System.Diagnostics;

namespace Ugloo.Mount.Tests;

/// <summary>Runs the real <c>ugloo</c> executable (built next to this test assembly) as a child process.</summary>
internal static class UglooProcess
{
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, CancellationToken cancellationToken, IDictionary<string, string>? environment = null) =>
        RunToEndAsync(CreateStartInfo(args, environment, redirectInput: false), cancellationToken);

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

    /// <summary>
    /// Makes <paramref name="start"/> run as the unprivileged user and group <paramref name="id"/> (setpriv execs the
    /// command, so the pid stays the command's), with HOME where that user may write.
    /// </summary>
    public static void RunAs(ProcessStartInfo start, int id)
    {
        string command = start.FileName;
        start.FileName = "setpriv";
        string[] prefix = [$"--reuid={id}", $"--regid={id}", "--clear-groups", "--", command];
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            start.ArgumentList.Insert(0, prefix[i]);
        }

        start.Environment["HOME"] = Path.GetTempPath();
    }

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> as the user and group <paramref name="id"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsAsync(int id, string file, string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        RunAs(start, id);
        return await RunToEndAsync(start, cancellationToken);
    }

    /// <summary>Starts <paramref name="start"/> (stdout and stderr redirected) and returns its exit code and both outputs.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The path of the ugloo executable these tests run.</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "ugloo.dll");

    /// <summary>A start description for ugloo with every stream redirected (stdin only when asked).</summary>
    public static ProcessStartInfo CreateStartInfo(string[] args, IDictionary<string, string>? environment, bool redirectInput)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
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
