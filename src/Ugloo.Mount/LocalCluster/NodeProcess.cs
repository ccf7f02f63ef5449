using System.Diagnostics;
using System.Globalization;
using System.Text;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// One running <c>ugloo-node</c> child of <c>ugloo up</c>. Its stdout and stderr go to
/// <c>nodes/i/node.log</c> (appended, so earlier runs stay readable) and its pid to <c>nodes/i/node.pid</c>
/// (for scripts and tests that want to kill one node).
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private readonly Task _pumps;

    private NodeProcess(NodeConfig config, string directory, Process process, StreamWriter log)
    {
        Config = config;
        Directory = directory;
        _process = process;
        _log = log;
        Pid = process.Id;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
        Exited = WaitForExitAsync();
    }

    public NodeConfig Config { get; }

    /// <summary>nodes/i: the node's first data directory, where its log and pid file sit too.</summary>
    public string Directory { get; }

    public int Pid { get; }

    public string LogPath => LogFile(Directory);

    /// <summary>Completes with the exit code when the process ends, for whatever reason.</summary>
    public Task<int> Exited { get; }

    public bool HasExited => Exited.IsCompleted;

    public static string LogFile(string nodeDirectory) => Path.Combine(nodeDirectory, "node.log");

    public static string PidFile(string nodeDirectory) => Path.Combine(nodeDirectory, "node.pid");

    public static NodeProcess Start(string dataDirectory, NodeConfig config, string clusterKeyFile, string? join)
    {
        var arguments = new List<string>();
        foreach (string data in config.Data)
        {
            arguments.Add("--data");
            arguments.Add(Path.GetFullPath(data, dataDirectory));
        }

        arguments.Add("--listen");
        arguments.Add(config.Listen);
        if (join is not null)
        {
            arguments.Add("--join");
            arguments.Add(join);
        }

        arguments.Add("--cluster-key");
        arguments.Add(clusterKeyFile);
        arguments.Add("--site");
        arguments.Add(config.Site);
        if (config.Capacity is not null)
        {
            arguments.Add("--capacity");
            arguments.Add(config.Capacity);
        }

        string directory = Path.GetFullPath(config.Data[0], dataDirectory);
        System.IO.Directory.CreateDirectory(directory);
        var log = new StreamWriter(new FileStream(LogFile(directory), FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"--- ugloo up {DateTimeOffset.Now:O}: ugloo-node {string.Join(' ', arguments)}"));
        Process process;
        try
        {
            process = Process.Start(NodeExecutable.CreateStartInfo(arguments)) ?? throw new InvalidOperationException("Process.Start returned no process.");
        }
        catch
        {
            log.Dispose();
            throw;
        }

        // The node reads nothing; closing its stdin keeps it from holding the terminal's.
        process.StandardInput.Close();
        File.WriteAllText(PidFile(directory), process.Id.ToString(CultureInfo.InvariantCulture) + "\n");
        return new NodeProcess(config, directory, process, log);
    }

    /// <summary>SIGTERM, then up to <paramref name="grace"/> for a clean exit, then SIGKILL. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!HasExited)
        {
            Signals.Terminate(_process);
            if (await Task.WhenAny(Exited, Task.Delay(grace)).ConfigureAwait(false) != Exited)
            {
                WriteLog($"--- ugloo up: node did not stop within {grace.TotalSeconds:0} s of SIGTERM; killing it");
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited in between.
                }
            }
        }

        return await Exited.ConfigureAwait(false);
    }

    /// <summary>The last lines of the node's log, to show why it did not come up.</summary>
    public string LogTail(int lines)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            string[] all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)).Select(l => "    " + l.TrimEnd('\r')));
        }
        catch (IOException)
        {
            return "    (no log)";
        }
    }

    public void Dispose()
    {
        _process.Dispose();
        lock (_logLock)
        {
            _log.Dispose();
        }
    }

    private async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await _pumps.ConfigureAwait(false);
        int code = _process.ExitCode;
        try
        {
            File.Delete(PidFile(Directory));
        }
        catch (IOException)
        {
            // A stale pid file is harmless: 'up' checks the process behind it before trusting it.
        }

        return code;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is string line)
        {
            WriteLog(line);
        }
    }

    private void WriteLog(string line)
    {
        lock (_logLock)
        {
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // Output after shutdown has nowhere to go.
            }
        }
    }
}
