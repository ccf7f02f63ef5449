using System.Reflection;

namespace Ugloo.Node.Hosting;

/// <summary>The text of <c>ugloo-node --help</c> and <c>--version</c>.</summary>
internal static class Usage
{
    public static string Version =>
        typeof(Usage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(Usage).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public const string Text = """
        Usage: ugloo-node --data DIR [--data DIR ...] [options]
               ugloo-node drain --node HOST:PORT --cluster-key FILE [--wait] [--cancel]

        Runs an Ugloo storage node: keeps fragments on its data directories and serves them to the
        cluster over DeepTorrent (BitTorrent peer wire + extension protocol). See docs/NODE.md.

        Options:
          --data DIR               data directory, one per disk (repeatable, at least one); the first
                                   also holds the node's identity (node.key)
          --listen HOST:PORT       address to accept peers on (default 127.0.0.1:6881)
          --advertise HOST:PORT    address other members dial, when it differs from --listen
          --join HOST:PORT         a member to join the cluster through (repeatable)
          --cluster-key FILE       the cluster key (64 hex digits, mode 0600); without it the node
                                   refuses every store and cannot join
          --capacity SIZE          bytes offered, e.g. 500G (default: free space at start)
          --site NAME              failure domain above the node (default "default")
          --max-connections N      peer connections served at once (default 512)
          --handshake-timeout DUR  deadline for a connection's opening sequence (default 10s)
          --idle-timeout DUR       close a connection silent for this long (default 5m)
          --gossip-interval DUR    how often to exchange membership with each member (default 5s)
          --down-after DUR         silence after which a member is marked down (default 15s)
          --scrub-interval DUR     pause between full re-hash passes of what the node holds (default 168h)
          --scrub-rate SIZE        bytes per second scrub may read (default 50M)
          --repair-interval DUR    pause between checks of the segments this node repairs (default 1m)
          --lost-after DUR         silence after which a member's fragments are rebuilt elsewhere
                                   (default 10m; must exceed --down-after)
          --repair-rate SIZE       bytes per second repair may fetch and store (default 50M)
          --config FILE            JSON file with a "Node" section holding the same settings
          --help, -h               this text
          --version                the version

        Settings may also come from environment variables, e.g. UGLOO_Node__Listen=0.0.0.0:6881
        (UGLOO_Node__DataDirectories__0=/srv/disk1 for lists). Command-line options win over the
        environment, which wins over --config. Durations: 500ms, 5s, 2m. Sizes: 500M, 2T.

        Exit codes: 0 stopped cleanly, 1 failed while starting or running, 2 bad options.
        """;
}
