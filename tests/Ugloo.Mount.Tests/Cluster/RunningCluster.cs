using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Ugloo.Mount.Tests.Cluster;

/// <summary>
/// A real <c>ugloo up</c> child process on a temporary data directory, and the way a user drives it: the
/// <c>ugloo</c> CLI with <c>--data</c>, signals, and the node pid files <c>up</c> writes.
/// </summary>
internal sealed class RunningCluster : IAsyncDisposable
{
    /// <summary>Long enough for six cold .NET processes on a loaded two-core machine.</summary>
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _up;
    private readonly StringBuilder _output = new();
    private readonly Lock _outputLock = new();
    private readonly Task _pumps;
    private readonly bool _ownsDirectory;

    private RunningCluster(string dataDirectory, Process up, bool ownsDirectory)
    {
        DataDirectory = dataDirectory;
        _up = up;
        _ownsDirectory = ownsDirectory;
        _pumps = Task.WhenAll(PumpAsync(up.StandardOutput), PumpAsync(up.StandardError));
    }

    public string DataDirectory { get; }

    public int UpPid => _up.Id;

    public bool HasExited => _up.HasExited;

    /// <summary>Everything <c>ugloo up</c> printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "ugloo-test-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>
    /// Runs <c>ugloo up --data DIR --nodes N ARGS</c> (with <c>--no-mount</c> unless ARGS has <c>--mount</c>) and waits
    /// for its ready line; as the user and group <paramref name="runAsId"/> (through setpriv) when given.
    /// </summary>
    public static async Task<RunningCluster> StartAsync(int nodes, string[] arguments, CancellationToken cancellationToken, string? dataDirectory = null, int? runAsId = null)
    {
        bool owns = dataDirectory is null;
        dataDirectory ??= NewDataDirectory();
        string[] mount = arguments.Contains("--mount") ? [] : ["--no-mount"];
        string[] args = ["up", "--data", dataDirectory, "--nodes", nodes.ToString(CultureInfo.InvariantCulture), .. mount, .. arguments];
        ProcessStartInfo start = UglooProcess.CreateStartInfo(args, null, redirectInput: true);
        if (runAsId is int id)
        {
            UglooProcess.RunAs(start, id);
        }

        Process up = Process.Start(start) ?? throw new InvalidOperationException("could not start ugloo up");
        up.StandardInput.Close();
        var cluster = new RunningCluster(dataDirectory, up, owns);
        try
        {
            await cluster.WaitForOutputAsync("Ready:", s_startTimeout, cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Runs <c>ugloo ARGS --data DIR</c>.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(CancellationToken cancellationToken, params string[] args) =>
        UglooProcess.RunAsync([.. args, "--data", DataDirectory], cancellationToken);

    /// <summary>Runs <c>ugloo ARGS --data DIR</c> with bytes on stdin and stdout captured as bytes.</summary>
    public Task<(int ExitCode, string Stderr)> RunWithStreamsAsync(Stream? stdin, Stream stdout, CancellationToken cancellationToken, params string[] args) =>
        UglooProcess.RunWithStreamsAsync([.. args, "--data", DataDirectory], stdin, stdout, cancellationToken);

    public string NodeDirectory(int index) => Path.Combine(DataDirectory, "nodes", index.ToString(CultureInfo.InvariantCulture));

    /// <summary>The pid <c>ugloo up</c> wrote for node <paramref name="index"/>.</summary>
    public int NodePid(int index) =>
        int.Parse(File.ReadAllText(Path.Combine(NodeDirectory(index), "node.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Live ugloo-node processes of this data directory.</summary>
    public IReadOnlyList<int> NodeProcesses() => Signal.FindProcesses("ugloo-node", DataDirectory);

    public async Task WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_up.HasExited)
            {
                await _pumps.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                if (Output.Contains(text, StringComparison.Ordinal))
                {
                    return;
                }

                throw new InvalidOperationException($"ugloo up exited with code {_up.ExitCode} before printing '{text}'. Its output:\n{Output}\n{NodeLogs()}");
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"ugloo up did not print '{text}' within {timeout.TotalSeconds:0} s. Its output:\n{Output}\n{NodeLogs()}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to <c>ugloo up</c> and waits for it to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(int signal, CancellationToken cancellationToken)
    {
        if (!_up.HasExited)
        {
            Signal.Send(_up.Id, signal);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_stopTimeout);
        try
        {
            await _up.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"ugloo up did not exit within {s_stopTimeout.TotalSeconds:0} s of signal {signal}. Its output:\n{Output}\n{NodeLogs()}");
        }

        await _pumps.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        return _up.ExitCode;
    }

    /// <summary>Every node's log, for failure messages.</summary>
    public string NodeLogs()
    {
        var logs = new StringBuilder();
        string nodes = Path.Combine(DataDirectory, "nodes");
        if (!Directory.Exists(nodes))
        {
            return "";
        }

        foreach (string log in Directory.EnumerateFiles(nodes, "node.log", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string[] lines = File.ReadAllLines(log);
            logs.AppendLine(CultureInfo.InvariantCulture, $"== {log} (last 20 lines)");
            foreach (string line in lines.Skip(Math.Max(0, lines.Length - 20)))
            {
                logs.AppendLine(line);
            }
        }

        return logs.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_up.HasExited)
            {
                Signal.Send(_up.Id, Signal.Terminate);
                if (!_up.WaitForExit(s_stopTimeout))
                {
                    _up.Kill(entireProcessTree: true);
                }
            }

            // Whatever a failed test left behind must not outlive it.
            foreach (int pid in NodeProcesses())
            {
                Signal.Send(pid, Signal.Kill);
            }

            await _pumps.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // Best effort: the process is gone or its pipes hang; nothing more to clean.
        }
        finally
        {
            _up.Dispose();
            if (_ownsDirectory)
            {
                try
                {
                    Directory.Delete(DataDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // A node that was killed may still be releasing a file; the temp directory is cleaned eventually.
                }
            }
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is string line)
        {
            lock (_outputLock)
            {
                _output.AppendLine(line);
            }
        }
    }
}
