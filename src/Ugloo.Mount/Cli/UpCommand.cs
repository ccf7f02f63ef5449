using System.CommandLine;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo up</c>: the README's run command. It will start a local cluster and mount the volume; until the
/// node service exists (issue 3) it shows the codec working on this machine.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var command = new Command("up", "Start a local cluster and the volume (today: a codec demonstration).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            Console.WriteLine("ugloo up: the local cluster arrives with the node service; showing the codec on this machine.");
            return await UglooCommand.Create().Parse(["bench", "codec", "--code", "10,4", "--code", "64,16", "--trial-seconds", "0.2"]).InvokeAsync(cancellationToken: cancellationToken);
        });
        return command;
    }
}
