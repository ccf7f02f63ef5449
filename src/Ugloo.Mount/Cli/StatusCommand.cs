using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Catalog;
using Ugloo.Engine.Swarm;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo status [--json]</c>: every node up or down and what the volume can still lose. Exit code 0 when
/// some node answers, 1 when none does (the report is printed either way, every node down).
/// </summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "One JSON object (nodes and volume) instead of text." };
        Option<string> data = CommonOptions.Data();
        var command = new Command("status", "Show the nodes and what the volume can still lose.")
        {
            json, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string dir = CommonOptions.DataDirectory(parse, data);
            VolumeConfig config = VolumeAccess.LoadConfig(dir);
            IReadOnlyList<SwarmMember> members = [];
            bool reachable;
            SegmentHealth? segments = null;
            try
            {
                SwarmClient client = await VolumeAccess.ConnectAsync(dir, config, NullLogger.Instance, cancellationToken);
                await using (client)
                {
                    await client.RefreshFiguresAsync(cancellationToken);
                    members = client.Members;
                    reachable = true;
                    segments = await SegmentHealth.ComputeAsync(dir, config, client, cancellationToken);
                }
            }
            catch (VolumeException e) when (e.InnerException is PeerUnavailableException)
            {
                reachable = false;
                Console.Error.WriteLine($"ugloo: {e.Message}");
            }

            using VolumeCatalog catalog = VolumeAccess.OpenCatalog(dir, config);
            VolumeStatus status = VolumeStatus.Build(dir, config, members, reachable, catalog);
            status.Segments = segments;
            Console.Write(parse.GetValue(json) ? status.ToJson() + Environment.NewLine : status.ToText());
            return reachable ? 0 : 1;
        });
        return command;
    }
}
