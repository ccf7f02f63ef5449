using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Ugloo.Mount.S3;
using Ugloo.Mount.S3.Auth;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo s3</c>: serve the volume over the S3 API (buckets are its top-level directories) until Ctrl-C;
/// <c>ugloo s3 keys add|list|remove</c> manage the access keys it accepts.
/// </summary>
internal static class S3Command
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.Data();
        Option<string> passphrase = CommonOptions.PassphraseFile();
        Option<bool> verbose = CommonOptions.Verbose();
        var listen = new Option<string>("--listen") { Description = "Address to serve on (default 127.0.0.1:9000; plain HTTP, so keep it on loopback or a trusted network).", HelpName = "HOST:PORT", DefaultValueFactory = _ => "127.0.0.1:9000" };
        var domain = new Option<string>("--virtual-host") { Description = "Also accept virtual-host-style requests to BUCKET.DOMAIN.", HelpName = "DOMAIN" };
        var command = new Command("s3", "Serve the volume over the S3 API (buckets = top-level directories) until Ctrl-C.")
        {
            data, passphrase, verbose, listen, domain,
        };
        command.Subcommands.Add(CreateKeys());
        command.Subcommands.Add(S3PublicCommand.Create());
        command.SetAction(async (parse, cancellationToken) =>
        {
            string dataDirectory = CommonOptions.DataDirectory(parse, data);
            var options = new S3GatewayOptions { Listen = parse.GetValue(listen)!, VirtualHostDomain = parse.GetValue(domain) };
            S3Gateway.ParseEndpoint(options.Listen);
            using ILoggerFactory logging = LoggerFactory.Create(builder =>
            {
                builder.SetMinimumLevel(parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Warning);
                builder.AddSimpleConsole(o => o.SingleLine = true);
                builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            });
            ILogger logger = logging.CreateLogger("ugloo");
            S3Volume volume = await S3Volume.OpenAsync(dataDirectory, parse.GetValue(passphrase), logger, cancellationToken);
            await using (volume)
            {
                S3Gateway gateway = await S3Gateway.StartAsync(volume, options, logging, cancellationToken);
                await using (gateway)
                {
                    int keys = AccessKeyFile.Load(dataDirectory).Count;
                    Console.WriteLine($"Serving {dataDirectory} over S3 at http://{gateway.Address} ({Words.Plural(keys, "access key", "access keys")}; 'ugloo s3 keys add NAME' makes one). Ctrl-C stops.");
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        // Ctrl-C: stop serving (requests in flight finish or are cut; nothing half-written is recorded).
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static Command CreateKeys()
    {
        var keys = new Command("keys", "Manage the access keys the S3 gateway accepts (stored in DATA/s3-keys.json, owner-only).");

        Option<string> addData = CommonOptions.Data();
        var name = new Argument<string>("NAME") { Description = "A name for the key (who or what uses it)." };
        var json = new Option<bool>("--json") { Description = "Print {\"access_key\":…,\"secret_key\":…} for scripts." };
        var add = new Command("add", "Create an access key and print it with its secret.") { name, json, addData };
        add.SetAction(parse =>
        {
            string dataDirectory = CommonOptions.DataDirectory(parse, addData);
            VolumeAccess.LoadConfig(dataDirectory);
            AccessKey key = AccessKeyFile.Add(dataDirectory, parse.GetValue(name)!);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new KeyJson { AccessKey = key.AccessKeyId, SecretKey = key.SecretKey }, S3KeyJsonContext.Default.KeyJson));
            }
            else
            {
                Console.WriteLine($"Access key {key.AccessKeyId}");
                Console.WriteLine($"Secret     {key.SecretKey}");
                Console.WriteLine($"Use them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (region us-east-1, path-style addressing).");
            }

            return 0;
        });

        Option<string> listData = CommonOptions.Data();
        var list = new Command("list", "List the access keys (names and ids; secrets stay in the key file).") { listData };
        list.SetAction(parse =>
        {
            IReadOnlyList<AccessKey> all = AccessKeyFile.Load(CommonOptions.DataDirectory(parse, listData));
            if (all.Count == 0)
            {
                Console.WriteLine("No access keys; 'ugloo s3 keys add NAME' makes one.");
            }

            foreach (AccessKey key in all)
            {
                Console.WriteLine($"{key.Name,-24} {key.AccessKeyId}  created {key.Created:yyyy-MM-dd HH:mm}Z");
            }

            return 0;
        });

        Option<string> removeData = CommonOptions.Data();
        var removeName = new Argument<string>("NAME") { Description = "The key's name or access key id." };
        var remove = new Command("remove", "Remove an access key: requests signed with it are refused from then on.") { removeName, removeData };
        remove.SetAction(parse =>
        {
            string target = parse.GetValue(removeName)!;
            if (!AccessKeyFile.Remove(CommonOptions.DataDirectory(parse, removeData), target))
            {
                throw new UsageException($"No access key named '{target}'; 'ugloo s3 keys list' shows them.");
            }

            Console.WriteLine($"Removed access key {target}.");
            return 0;
        });

        keys.Subcommands.Add(add);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(remove);
        return keys;
    }

    internal sealed class KeyJson
    {
        public required string AccessKey { get; init; }

        public required string SecretKey { get; init; }
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(S3Command.KeyJson))]
internal sealed partial class S3KeyJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
