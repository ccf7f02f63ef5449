using System.CommandLine;

namespace Ugloo.Mount.Cli;

/// <summary>The <c>ugloo</c> command line: every verb a user or a script relies on.</summary>
internal static class UglooCommand
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Ugloo: an encrypted, erasure-coded, versioned storage volume.");
        root.Subcommands.Add(UpCommand.Create());
        root.Subcommands.Add(PutCommand.Create());
        root.Subcommands.Add(GetCommand.Create());
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(VersionsCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(RecoverCommand.Create());
        root.Subcommands.Add(MountCommand.Create());
        root.Subcommands.Add(UnmountCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }
}
