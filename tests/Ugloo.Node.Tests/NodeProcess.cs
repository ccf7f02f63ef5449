using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Tests;

/// <summary>
/// A real <c>ugloo-node</c> process (the ugloo-node.dll built next to this test assembly) on loopback, with its
/// own data directories, port and the given cluster key. Disposing kills it, whatever the test's outcome.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private readonly TempDirectory? _ownedRoot;
    private Process? _process;

    private NodeProcess(string root, TempDirectory? ownedRoot, string clusterKeyPath, int port, IReadOnlyList<string> extraArgs)
    {
        Root = root;
        _ownedRoot = ownedRoot;
        ClusterKeyPath = clusterKeyPath;
        Port = port;
        ExtraArgs = extraArgs;
        DataDirectories = [System.IO.Path.Combine(root, "disk1"), System.IO.Path.Combine(root, "disk2")];
    }

    public string Root { get; }

    public string ClusterKeyPath { get; }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public IReadOnlyList<string> DataDirectories { get; }

    public IReadOnlyList<string> ExtraArgs { get; private set; }

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The running process's id (for SIGSTOP/SIGCONT), or null when it is not running.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>Everything the process printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string DllPath => System.IO.Path.Combine(AppContext.BaseDirectory, "ugloo-node.dll");

    /// <summary>Starts a node on fresh temp data directories and waits until it listens.</summary>
    public static Task<NodeProcess> StartAsync(string clusterKeyPath, CancellationToken cancellationToken, params string[] extraArgs) =>
        StartOnPortAsync(clusterKeyPath, FreePort(), cancellationToken, extraArgs);

    /// <summary>Starts a node on a given port (one that other nodes were told to join).</summary>
    public static async Task<NodeProcess> StartOnPortAsync(string clusterKeyPath, int port, CancellationToken cancellationToken, params string[] extraArgs)
    {
        var root = new TempDirectory();
        var node = new NodeProcess(root.Path, root, clusterKeyPath, port, extraArgs);
        try
        {
            await node.LaunchAsync(cancellationToken);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>A free loopback port: bind port 0 and let the OS choose, then release it for the node.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Writes a fresh cluster key file (mode 0600) into <paramref name="directory"/>.</summary>
    public static string CreateClusterKey(string directory, out byte[] key)
    {
        string path = System.IO.Path.Combine(directory, $"cluster-{Guid.NewGuid():N}.key");
        key = ClusterKey.Create(path);
        return path;
    }

    /// <summary>SIGKILL: no chance to clean up, as in a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>SIGTERM, as systemd stops a service; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Process p = _process ?? throw new InvalidOperationException("not started");
        using (Process kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(CancellationToken.None);
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"ugloo-node did not exit within {timeout.TotalSeconds} s of SIGTERM. Output:\n{Output}");
        }

        return p.ExitCode;
    }

    /// <summary>Starts the node again on the same data directories and port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        await LaunchAsync(cancellationToken);
    }

    /// <summary>Starts the node again on the same data directories and port, with other extra arguments.</summary>
    public Task RestartAsync(IReadOnlyList<string> extraArgs, CancellationToken cancellationToken)
    {
        ExtraArgs = extraArgs;
        return RestartAsync(cancellationToken);
    }

    public Task<PeerClient> ConnectAsync(SwarmCredentials credentials, CancellationToken cancellationToken) =>
        PeerClient.ConnectAsync(Address, credentials, NullLogger.Instance, TimeSpan.FromSeconds(20), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _ownedRoot?.Dispose();
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (string directory in DataDirectories)
        {
            start.ArgumentList.Add("--data");
            start.ArgumentList.Add(directory);
        }

        start.ArgumentList.Add("--listen");
        start.ArgumentList.Add(Address);
        start.ArgumentList.Add("--cluster-key");
        start.ArgumentList.Add(ClusterKeyPath);
        foreach (string arg in ExtraArgs)
        {
            start.ArgumentList.Add(arg);
        }

        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnLine(e.Data, listening);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, listening);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"ugloo-node exited during start-up. Output:\n{Output}"));
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await listening.Task.WaitAsync(s_startTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"ugloo-node did not start listening within {s_startTimeout.TotalSeconds} s. Output:\n{Output}");
        }
    }

    private void OnLine(string? line, TaskCompletionSource listening)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        // Event 8000 is logged once the listener is bound.
        if (line.Contains("[8000]", StringComparison.Ordinal))
        {
            listening.TrySetResult();
        }
    }
}
