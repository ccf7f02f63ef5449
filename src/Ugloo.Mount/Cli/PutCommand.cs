using System.CommandLine;
using Ugloo.Mount.Transfer;

namespace Ugloo.Mount.Cli;

/// <summary><c>ugloo put LOCAL PATH</c>: store a file (or stdin) as a new version of PATH.</summary>
internal static class PutCommand
{
    public static Command Create()
    {
        var local = new Argument<string>("LOCAL") { Description = "Local file to store, or - for stdin." };
        var path = new Argument<string>("PATH") { Description = "Path in the volume, e.g. /photos/a.jpg (a trailing / keeps LOCAL's name)." };
        Option<string> data = CommonOptions.Data();
        Option<string> passphrase = CommonOptions.PassphraseFile();
        Option<bool> verbose = CommonOptions.Verbose();
        var command = new Command("put", "Encrypt, erasure-code and store a file in the running cluster as a new version.")
        {
            local, path, data, passphrase, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var operation = new PutOperation
            {
                DataDirectory = CommonOptions.DataDirectory(parse, data),
                Local = parse.GetValue(local)!,
                VolumePath = parse.GetValue(path)!,
                PassphraseFile = parse.GetValue(passphrase),
                Verbose = parse.GetValue(verbose),
            };
            PutResult result = await operation.RunAsync(cancellationToken);
            Console.WriteLine(result.Describe());
            return 0;
        });
        return command;
    }
}
