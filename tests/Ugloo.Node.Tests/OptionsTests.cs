using System.Diagnostics;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Tests;

/// <summary>Start-up mistakes through the real executable: one clear line on stderr, exit code 2.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData(new[] { "--data", "{dir}", "--listen", "no-port-here" }, "--listen 'no-port-here' is not HOST:PORT")]
    [InlineData(new[] { "--listen", "127.0.0.1:6881" }, "at least one --data DIR is required")]
    [InlineData(new[] { "--data", "{dir}", "--frobnicate", "3" }, "unknown option '--frobnicate'")]
    [InlineData(new[] { "--data", "{dir}", "--join", "127.0.0.1:1" }, "--join needs --cluster-key")]
    [InlineData(new[] { "--data", "{dir}", "--capacity", "lots" }, "--capacity 'lots' is not a size")]
    [InlineData(new[] { "--data", "{dir}", "--gossip-interval", "5s", "--down-after", "2s" }, "must be longer than --gossip-interval")]
    [InlineData(new[] { "--data", "{dir}", "--cluster-key", "{dir}/missing.key" }, "--cluster-key")]
    [InlineData(new[] { "--data" }, "--data needs a value")]
    [InlineData(new[] { "--data", "{dir}", "--scrub-rate", "fast" }, "--scrub-rate 'fast' is not a size per second")]
    [InlineData(new[] { "--data", "{dir}", "--scrub-interval", "weekly" }, "--scrub-interval 'weekly' is not a duration")]
    [InlineData(new[] { "--data", "{dir}", "--lost-after", "10s", "--down-after", "15s" }, "--lost-after 10s must be longer than --down-after")]
    [InlineData(new[] { "--data", "{dir}", "--repair-rate", "0" }, "--repair-rate '0' is not a size per second")]
    public async Task Bad_options_exit_2_with_one_clear_line(string[] args, string expected)
    {
        using var dir = new TempDirectory();
        (int exitCode, string stdout, string stderr) = await RunAsync([.. args.Select(a => a.Replace("{dir}", dir.Path, StringComparison.Ordinal))]);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.StartsWith("ugloo-node: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task Settings_come_from_the_config_file_and_the_environment_with_the_command_line_winning()
    {
        using var dir = new TempDirectory();
        string config = dir.Combine("node.json");
        File.WriteAllText(config, $$"""{ "Node": { "DataDirectories": [ "{{dir.Combine("d").Replace("\\", "/", StringComparison.Ordinal)}}" ], "Listen": "from-file" } }""");

        (int exitCode, _, string stderr) = await RunAsync(["--config", config]);
        Assert.Equal(2, exitCode);
        Assert.Contains("--listen 'from-file'", stderr, StringComparison.Ordinal);

        var environment = new Dictionary<string, string> { ["UGLOO_Node__Listen"] = "from-env" };
        (exitCode, _, stderr) = await RunAsync(["--config", config], environment);
        Assert.Equal(2, exitCode);
        Assert.Contains("--listen 'from-env'", stderr, StringComparison.Ordinal);

        (exitCode, _, stderr) = await RunAsync(["--config", config, "--listen", "from-cli"], environment);
        Assert.Equal(2, exitCode);
        Assert.Contains("--listen 'from-cli'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_usage_and_exits_0()
    {
        (int exitCode, string stdout, _) = await RunAsync(["--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage: ugloo-node --data DIR", stdout, StringComparison.Ordinal);
        Assert.Contains("--cluster-key FILE", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        (int exitCode, string stdout, _) = await RunAsync(["--version"]);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("ugloo-node ", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Busy_port_fails_start_up_with_exit_1()
    {
        using var dir = new TempDirectory();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;

        (int exitCode, _, string stderr) = await RunAsync(["--data", dir.Path, "--listen", $"127.0.0.1:{port}"]);

        Assert.Equal(1, exitCode);
        Assert.Contains($"cannot listen on 127.0.0.1:{port}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Command_line_maps_repeated_and_new_options_to_configuration_keys()
    {
        (Dictionary<string, string?> settings, string? config) = CommandLineMap.Parse(
            ["--data", "/a", "--data=/b", "--join", "h:1", "--gossip-interval", "1s", "--down-after", "9s", "--max-connections", "7", "--handshake-timeout", "3s", "--config", "c.json"]);

        Assert.Equal("/a", settings["Node:DataDirectories:0"]);
        Assert.Equal("/b", settings["Node:DataDirectories:1"]);
        Assert.Equal("h:1", settings["Node:Join:0"]);
        Assert.Equal("1s", settings["Node:GossipInterval"]);
        Assert.Equal("9s", settings["Node:DownAfter"]);
        Assert.Equal("7", settings["Node:MaxConnections"]);
        Assert.Equal("3s", settings["Node:HandshakeTimeout"]);
        Assert.Equal("c.json", config);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5000)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5", 1500)]
    [InlineData("1h", 3_600_000)]
    public void Durations_parse(string text, int milliseconds)
    {
        Assert.True(Duration.TryParse(text, out TimeSpan value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5s")]
    [InlineData("5x")]
    public void Bad_durations_do_not_parse(string text) => Assert.False(Duration.TryParse(text, out _));

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(NodeProcess.DllPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string key, string value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start ugloo-node");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
