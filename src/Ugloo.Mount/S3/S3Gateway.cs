using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ugloo.Mount.S3.Auth;
using Ugloo.Mount.S3.Multipart;

namespace Ugloo.Mount.S3;

/// <summary>
/// The S3 gateway: Kestrel on one address serving <see cref="S3Handler"/> over an open <see cref="S3Volume"/>.
/// Access keys are read from DATA/s3-keys.json on every request, so keys added or removed with
/// <c>ugloo s3 keys</c> take effect without a restart.
/// </summary>
internal sealed class S3Gateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private S3Gateway(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>HOST:PORT actually bound (the port the kernel chose when 0 was asked).</summary>
    public string Address { get; }

    /// <summary>Starts serving <paramref name="volume"/> (which the caller keeps and disposes after the gateway).</summary>
    public static async Task<S3Gateway> StartAsync(S3Volume volume, S3GatewayOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        IPEndPoint endpoint = ParseEndpoint(options.Listen);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint);

            // Bodies stream into the object writer: the size limit is S3's, checked by the handler.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.AddServerHeader = false;
            kestrel.AllowSynchronousIO = false;
        });
        WebApplication app = builder.Build();
        ILogger logger = loggerFactory.CreateLogger("ugloo.s3");
        string dataDirectory = volume.DataDirectory;
        var authenticator = new RequestAuthenticator(id => AccessKeyFile.Load(dataDirectory).FirstOrDefault(k => k.AccessKeyId == id), TimeProvider.System);
        var handler = new S3Handler(volume, authenticator, options, new MultipartStore(dataDirectory), logger);
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new Volume.VolumeException($"The S3 gateway cannot listen on {options.Listen}: {e.Message}", e);
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? options.Listen;
        string address = bound.Replace("http://", "", StringComparison.Ordinal);
        Log.S3Listening(logger, address);
        return new S3Gateway(app, address);
    }

    /// <summary>Parses HOST:PORT (an IP address; "localhost" means 127.0.0.1).</summary>
    public static IPEndPoint ParseEndpoint(string listen)
    {
        int colon = listen.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(listen.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port > IPEndPoint.MaxPort)
        {
            throw new Cli.UsageException($"'{listen}' is not HOST:PORT such as 127.0.0.1:9000.");
        }

        string host = listen[..colon].Trim('[', ']');
        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host, out IPAddress? ip)
            ? new IPEndPoint(ip, port)
            : throw new Cli.UsageException($"'{host}' is not an IP address; give one such as 127.0.0.1 or 0.0.0.0.");
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
