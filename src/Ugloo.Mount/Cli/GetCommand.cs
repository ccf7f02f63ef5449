using System.CommandLine;
using Ugloo.Mount.Transfer;

namespace Ugloo.Mount.Cli;

/// <summary><c>ugloo get PATH LOCAL</c>: read the newest version of PATH.</summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "Path in the volume." };
        var local = new Argument<string>("LOCAL") { Description = "Local file (or existing directory) to write, or - for stdout." };
        Option<string> data = CommonOptions.Data();
        Option<string> passphrase = CommonOptions.PassphraseFile();
        Option<bool> verbose = CommonOptions.Verbose();
        var version = new Option<int?>("--version") { Description = "Read version N of the file (1 is the oldest; 'ugloo ls' shows how many there are) instead of the newest.", HelpName = "N" };
        var command = new Command("get", "Read the newest version of a file, verified fragment by fragment, to a local file or stdout.")
        {
            path, local, data, passphrase, verbose, version,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var operation = new GetOperation
            {
                DataDirectory = CommonOptions.DataDirectory(parse, data),
                VolumePath = parse.GetValue(path)!,
                Local = parse.GetValue(local)!,
                PassphraseFile = parse.GetValue(passphrase),
                Verbose = parse.GetValue(verbose),
                Version = parse.GetValue(version),
                Warnings = Console.Error,
            };
            GetResult result = await operation.RunAsync(cancellationToken);

            // With LOCAL = - stdout carries the file's bytes: no summary then, as cat prints none.
            if (result.Target is not null)
            {
                Console.WriteLine(result.Describe());
            }

            return 0;
        });
        return command;
    }
}
