using System.CommandLine;
using Ugloo.Mount.Recovery;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo recover --key-file K --peer HOST:PORT</c>: rebuild a data directory (catalog, volume.json, keys)
/// from the catalog backup the nodes hold, on a new machine.
/// </summary>
internal static class RecoverCommand
{
    public static Command Create()
    {
        var keyFile = new Option<string>("--key-file") { Description = "The volume key file (volume.key of the lost client).", HelpName = "FILE", Required = true };
        var peers = new Option<string[]>("--peer") { Description = "A node of the cluster (HOST:PORT); repeat for more. The rest are learned from it.", HelpName = "HOST:PORT", Required = true, AllowMultipleArgumentsPerToken = false };
        var clusterKey = new Option<string>("--cluster-key") { Description = "The cluster key (cluster.key) the nodes run with (default: DIR/cluster.key).", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the volume already in the data directory." };
        Option<string> data = CommonOptions.Data();
        Option<string> passphrase = CommonOptions.PassphraseFile();
        Option<bool> verbose = CommonOptions.Verbose();
        var command = new Command("recover", "Restore a volume's catalog and settings from the nodes onto this machine, with the volume key and one node's address.")
        {
            keyFile, peers, clusterKey, force, data, passphrase, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var operation = new RecoverOperation
            {
                DataDirectory = CommonOptions.DataDirectory(parse, data),
                KeyFile = parse.GetValue(keyFile)!,
                Peers = parse.GetValue(peers) ?? [],
                ClusterKeyFile = parse.GetValue(clusterKey),
                PassphraseFile = parse.GetValue(passphrase),
                Force = parse.GetValue(force),
                Verbose = parse.GetValue(verbose),
            };
            RecoverResult result = await operation.RunAsync(cancellationToken);
            Console.WriteLine(result.Describe());
            return 0;
        });
        return command;
    }
}
