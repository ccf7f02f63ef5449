using System.Net;
using Microsoft.Extensions.Logging;
using Ugloo.Engine.Crypto;
using Ugloo.Mount.S3;
using Ugloo.Mount.S3.Auth;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// The S3 gateway that <c>ugloo up</c> runs beside its nodes (unless <c>--no-s3</c>): on 127.0.0.1:9000 or the
/// next free port (or exactly <c>--s3 HOST:PORT</c>), with an access key made on first use.
/// </summary>
internal sealed class UpGateway : IAsyncDisposable
{
    /// <summary>Ports tried after 9000 when it is taken and no address was given.</summary>
    private const int PortsToTry = 100;

    private readonly ILoggerFactory? _logging;
    private readonly S3Volume? _volume;
    private readonly S3Gateway? _gateway;
    private readonly AccessKey? _key;
    private readonly string _off;

    private UpGateway(ILoggerFactory logging, S3Volume volume, S3Gateway gateway, AccessKey key)
    {
        _logging = logging;
        _volume = volume;
        _gateway = gateway;
        _key = key;
        _off = "";
    }

    private UpGateway(string off)
    {
        _off = off;
    }

    public static async Task<UpGateway> StartAsync(UpOptions options, CancellationToken cancellationToken)
    {
        if (options.NoS3)
        {
            return new UpGateway("off (--no-s3)");
        }

        string dir = options.DataDirectory;
        VolumeConfig config = VolumeAccess.LoadConfig(dir);
        if (VolumeKeyFile.RequiresPassphrase(VolumeConfig.Resolve(dir, config.VolumeKeyFile)) && options.PassphraseFile is null)
        {
            return new UpGateway("off: volume.key needs a passphrase (give --passphrase-file, or run 'ugloo s3 --passphrase-file FILE')");
        }

        ILoggerFactory logging = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Warning);
            builder.AddSimpleConsole(o => o.SingleLine = true);
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        });
        S3Volume? volume = null;
        try
        {
            volume = await S3Volume.OpenAsync(dir, options.PassphraseFile, logging.CreateLogger("ugloo.s3"), cancellationToken).ConfigureAwait(false);
            S3Gateway gateway = await ListenAsync(volume, options.S3Listen, logging, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<AccessKey> keys = AccessKeyFile.Load(dir);
            AccessKey key = keys.Count > 0 ? keys[0] : AccessKeyFile.Add(dir, "ugloo-up");
            return new UpGateway(logging, volume, gateway, key);
        }
        catch
        {
            if (volume is not null)
            {
                await volume.DisposeAsync().ConfigureAwait(false);
            }

            logging.Dispose();
            throw;
        }
    }

    public static void PrintSummary(TextWriter o, UpGateway gateway, UpOptions options)
    {
        if (gateway._gateway is null)
        {
            o.WriteLine($"  s3        {gateway._off}");
            return;
        }

        o.WriteLine($"  s3        http://{gateway._gateway.Address}  access key {gateway._key!.AccessKeyId}  secret {gateway._key.SecretKey}");
        o.WriteLine($"            (path-style, region us-east-1; more keys: 'ugloo s3 keys add NAME{(options.DataDirectory == DataDirectoryLocator.Resolve(null) ? "" : " --data DIR")}')");
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync().ConfigureAwait(false);
        }

        if (_volume is not null)
        {
            await _volume.DisposeAsync().ConfigureAwait(false);
        }

        _logging?.Dispose();
    }

    private static async Task<S3Gateway> ListenAsync(S3Volume volume, string? listen, ILoggerFactory logging, CancellationToken cancellationToken)
    {
        if (listen is not null)
        {
            return await S3Gateway.StartAsync(volume, new S3GatewayOptions { Listen = listen }, logging, cancellationToken).ConfigureAwait(false);
        }

        for (int port = 9000; ; port++)
        {
            try
            {
                return await S3Gateway.StartAsync(volume, new S3GatewayOptions { Listen = $"{IPAddress.Loopback}:{port}" }, logging, cancellationToken).ConfigureAwait(false);
            }
            catch (VolumeException) when (port < 9000 + PortsToTry - 1)
            {
                // Taken (another cluster's gateway, another S3 server): try the next one.
            }
        }
    }
}
