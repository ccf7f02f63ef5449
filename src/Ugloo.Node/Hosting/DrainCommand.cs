using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Swarm;

namespace Ugloo.Node.Hosting;

/// <summary>
/// <c>ugloo-node drain --node HOST:PORT --cluster-key FILE [--wait] [--cancel]</c>: tells a running node to
/// empty itself before it leaves (it takes nothing new and moves every fragment to its home without it), and
/// says when it is safe to switch off. Talks to the node over DeepTorrent (ugloo_status with "drain").
/// </summary>
internal static class DrainCommand
{
    public const string Text = """
        Usage: ugloo-node drain --node HOST:PORT --cluster-key FILE [--wait] [--cancel]

        Marks a running node as draining: it takes no new fragments and moves all it holds to their
        placement homes among the other members. Prints how much is left; with --wait, keeps printing
        until the node is empty and safe to switch off. --cancel makes it take fragments again.

        Exit codes: 0 done (with --wait: the node is empty), 1 the node could not be reached, 2 bad options.
        """;

    private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? node = null;
        string? keyFile = null;
        bool wait = false;
        bool cancel = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--node" when i + 1 < args.Count:
                    node = args[++i];
                    break;
                case "--cluster-key" when i + 1 < args.Count:
                    keyFile = args[++i];
                    break;
                case "--wait":
                    wait = true;
                    break;
                case "--cancel":
                    cancel = true;
                    break;
                case "--help" or "-h":
                    Console.Out.Write(Text);
                    return 0;
                default:
                    Console.Error.WriteLine($"ugloo-node drain: unexpected '{args[i]}'; see ugloo-node drain --help.");
                    return 2;
            }
        }

        if (node is null || keyFile is null || !Endpoints.TryParse(node, out _))
        {
            Console.Error.WriteLine("ugloo-node drain: --node HOST:PORT and --cluster-key FILE are required.");
            return 2;
        }

        byte[] key;
        try
        {
            key = ClusterKey.Load(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Engine.Crypto.KeyFileException)
        {
            Console.Error.WriteLine($"ugloo-node drain: --cluster-key: {e.Message}");
            return 2;
        }

        using SwarmCredentials credentials = SwarmCredentials.ForClient(key);
        CryptographicOperations.ZeroMemory(key);
        try
        {
            await using PeerClient peer = await PeerClient.ConnectAsync(node, credentials, NullLogger.Instance, PeerDialer.DefaultTimeout, cancellationToken).ConfigureAwait(false);
            IReadOnlyDictionary<string, long> status = await peer.StatusAsync(drain: !cancel, cancellationToken).ConfigureAwait(false);
            if (cancel)
            {
                Console.Out.WriteLine($"node {node} is no longer draining: it takes new fragments again.");
                return 0;
            }

            long last = -1;
            while (true)
            {
                long fragments = status.GetValueOrDefault("fragments");
                if (fragments == 0)
                {
                    Console.Out.WriteLine($"node {node} is draining and holds no fragments: safe to switch off.");
                    return 0;
                }

                if (fragments != last)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"node {node} is draining: {fragments} fragments ({ByteSize.Format(status.GetValueOrDefault("bytes"))}) left to move."));
                    last = fragments;
                }

                if (!wait)
                {
                    return 0;
                }

                await Task.Delay(s_pollInterval, cancellationToken).ConfigureAwait(false);
                status = await peer.StatusAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is PeerUnavailableException or PeerRequestException)
        {
            Console.Error.WriteLine($"ugloo-node drain: {e.Message}");
            return 1;
        }
    }
}
