using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Ugloo.Node;
using Ugloo.Node.Hosting;
using Ugloo.Node.Membership;
using Ugloo.Node.Peers;

if (args.Length > 0 && args[0] == "drain")
{
    using var interrupted = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        interrupted.Cancel();
    };

    try
    {
        return await DrainCommand.RunAsync(args[1..], interrupted.Token).ConfigureAwait(false);
    }
    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
    {
        return 1;
    }
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.Out.Write(Usage.Text);
    return 0;
}

if (args.Contains("--version"))
{
    Console.Out.WriteLine($"ugloo-node {Usage.Version}");
    return 0;
}

IHost host;
NodeRuntime runtime;
try
{
    (Dictionary<string, string?> settings, string? configFile) = CommandLineMap.Parse(args);

    // No defaults: a service must not pick up an appsettings.json from whatever directory it starts in.
    HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
    if (configFile is not null)
    {
        if (!File.Exists(configFile))
        {
            throw new OptionsException($"--config '{configFile}' does not exist.");
        }

        builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
    }

    builder.Configuration.AddEnvironmentVariables("UGLOO_");
    builder.Configuration.AddInMemoryCollection(settings);

    NodeOptions options;
    try
    {
        options = builder.Configuration.GetSection(NodeOptions.Section).Get<NodeOptions>() ?? new NodeOptions();
    }
    catch (InvalidOperationException e)
    {
        throw new OptionsException($"bad setting: {e.Message}", e);
    }

    options.Validate();

    builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
    builder.Logging.SetMinimumLevel(LogLevel.Information);
    builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
    builder.Logging.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        o.UseUtcTimestamp = true;
        o.ColorBehavior = LoggerColorBehavior.Disabled;
    });

    builder.Services.AddSystemd();
    builder.Services.AddWindowsService(o => o.ServiceName = "ugloo-node");
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
    builder.Services.AddSingleton(options);
    builder.Services.AddSingleton(sp => NodeRuntime.Create(options, sp.GetRequiredService<ILoggerFactory>()));
    builder.Services.AddHostedService<PeerServer>();
    builder.Services.AddHostedService<GossipService>();
    builder.Services.AddHostedService<Ugloo.Node.Scrub.ScrubService>();
    builder.Services.AddHostedService<Ugloo.Node.Repair.RepairService>();
    host = builder.Build();

    try
    {
        // Built here, not lazily by a service: a busy port or an unreadable disk is reported in one line.
        runtime = host.Services.GetRequiredService<NodeRuntime>();
    }
    catch
    {
        host.Dispose();
        throw;
    }
}
catch (OptionsException e)
{
    Console.Error.WriteLine($"ugloo-node: {e.Message}");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException or ArgumentException)
{
    Console.Error.WriteLine($"ugloo-node: cannot start: {e.Message}");
    return 1;
}

using (host)
{
    ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ugloo.Node");
    Ugloo.Engine.Storage.FragmentStoreStatistics stats = runtime.Store.GetStatistics();
    string nodeId = runtime.Identity.NodeId.ToString();
    string directories = string.Join(", ", stats.Directories.Select(d => d.Path));
    string capacity = Ugloo.Engine.ByteSize.Format(runtime.CapacityBytes);
    string used = Ugloo.Engine.ByteSize.Format(stats.UsedBytes);
    Ugloo.Node.Log.Started(logger, Usage.Version, nodeId, runtime.ListenAddress, runtime.AdvertiseAddress, runtime.Options.Site, directories, capacity, stats.FragmentCount, used, runtime.Credentials is null ? "none" : "loaded");
    if (runtime.Credentials is null)
    {
        Ugloo.Node.Log.NoClusterKey(logger);
    }

    await host.RunAsync().ConfigureAwait(false);
}

return Environment.ExitCode;
