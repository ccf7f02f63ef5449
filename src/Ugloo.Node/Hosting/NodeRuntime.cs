using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Ugloo.Engine;
using Ugloo.Engine.Cluster;
using Ugloo.Engine.Membership;
using Ugloo.Engine.Protocol;
using Ugloo.Engine.Storage;
using Ugloo.Engine.Swarm;
using Ugloo.Node.Roots;

namespace Ugloo.Node.Hosting;

/// <summary>
/// What a running node is made of, built once at start-up before any service runs: identity, fragment store,
/// cluster credentials, the bound listener and the member table. Start-up errors surface here, where
/// Program turns them into one clear line.
/// </summary>
internal sealed class NodeRuntime : IDisposable
{
    /// <summary>Name of the file whose presence in the first data directory means "draining".</summary>
    public const string DrainingMarker = "draining";

    private NodeRuntime(
        NodeOptions options,
        NodeIdentity identity,
        FragmentStore store,
        FragmentStoreOptions storeOptions,
        SwarmCredentials? credentials,
        PeerConnectionOptions serverOptions,
        Socket listener,
        string listenAddress,
        string advertiseAddress,
        long capacityBytes,
        MemberTable members,
        Ugloo.Node.Repair.SegmentRecords segments)
    {
        Options = options;
        Identity = identity;
        Store = store;
        StoreOptions = storeOptions;
        Credentials = credentials;
        ServerOptions = serverOptions;
        Listener = listener;
        ListenAddress = listenAddress;
        AdvertiseAddress = advertiseAddress;
        CapacityBytes = capacityBytes;
        Members = members;
        Segments = segments;
    }

    public NodeOptions Options { get; }

    public NodeIdentity Identity { get; }

    public FragmentStore Store { get; }

    public FragmentStoreOptions StoreOptions { get; }

    /// <summary>Null without a cluster key: the node then neither authenticates peers nor dials members.</summary>
    public SwarmCredentials? Credentials { get; }

    /// <summary>Our side of every accepted connection.</summary>
    public PeerConnectionOptions ServerOptions { get; }

    /// <summary>Bound and listening from construction, so a busy port fails start-up, not a background loop.</summary>
    public Socket Listener { get; }

    public string ListenAddress { get; }

    public string AdvertiseAddress { get; }

    public long CapacityBytes { get; }

    public MemberTable Members { get; }

    /// <summary>The public facts of the segments this node holds fragments of (what repair works from).</summary>
    public Ugloo.Node.Repair.SegmentRecords Segments { get; }

    /// <summary>Scrub's counters, reported by ugloo_status.</summary>
    public Scrub.ScrubProgress Scrub { get; } = new();

    /// <summary>Repair's counters, reported by ugloo_status.</summary>
    public Ugloo.Node.Repair.RepairProgress Repair { get; } = new();

    /// <summary>True while the node empties itself before it leaves (kept across restarts by a marker file).</summary>
    public bool IsDraining => Members.Self.State == MemberStates.Draining;

    /// <summary>
    /// Starts or stops draining: a draining node offers no capacity, so placement sends it nothing new and its
    /// fragments' homes are elsewhere; rebalancing then moves them off. The marker file in the first data
    /// directory keeps the state across restarts.
    /// </summary>
    public void SetDraining(bool draining)
    {
        string marker = Path.Combine(Path.GetFullPath(Options.DataDirectories[0]), DrainingMarker);
        if (draining)
        {
            File.WriteAllText(marker, "draining\n");
        }
        else
        {
            File.Delete(marker);
        }

        Members.SetSelfState(draining ? MemberStates.Draining : MemberStates.Up);
    }

    /// <summary>Catalog root pointers kept for clients (DIR/roots in the first data directory).</summary>
    public required RootStore Roots { get; init; }

    public static NodeRuntime Create(NodeOptions options, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        byte[]? clusterKey = LoadClusterKey(options.ClusterKeyFile);

        string first = Path.GetFullPath(options.DataDirectories[0]);
        Directory.CreateDirectory(first);
        NodeIdentity identity = NodeIdentity.LoadOrCreate(first);
        Socket? listener = null;
        SwarmCredentials? credentials = null;
        Ugloo.Node.Repair.SegmentRecords? segments = null;
        try
        {
            long? capacity = options.Capacity is null ? null : ByteSize.Parse(options.Capacity);
            var storeOptions = new FragmentStoreOptions { CapacityBytes = capacity };
            foreach (string directory in options.DataDirectories)
            {
                storeOptions.AddDirectory(directory);
            }

            FragmentStore store = FragmentStore.Open(storeOptions, loggerFactory.CreateLogger<FragmentStore>());

            // Without --capacity the node offers what its disks had free at start-up plus what it already
            // holds, so a restart of a half-full node does not halve its placement weight.
            FragmentStoreStatistics statistics = store.GetStatistics();
            long offered = capacity ?? statistics.UsedBytes + statistics.FreeBytes;

            listener = Bind(options.Listen, out string listenAddress);
            int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            string advertise = options.Advertise ?? DefaultAdvertise(options.Listen, port);

            byte[] nodeId = new byte[Engine.Placement.MemberId.Size];
            identity.NodeId.WriteTo(nodeId);
            PeerConnectionOptions serverOptions;
            if (clusterKey is not null)
            {
                credentials = SwarmCredentials.ForNode(clusterKey, identity.PeerId, nodeId, port);

                // RequireAuthentication false admits stock BitTorrent clients (DESIGN.md); storage
                // requests on such a connection are answered "unauthorized" by the session.
                serverOptions = credentials.CreateConnectionOptions(requireAuthentication: false);
            }
            else
            {
                serverOptions = new PeerConnectionOptions
                {
                    InfoHash = SwarmCredentials.DeriveInfoHash(new byte[ClusterKey.Size]),
                    PeerId = identity.PeerId,
                    NodeId = nodeId,
                    ListenPort = port,
                    Authenticator = null,
                    Client = "Ugloo 0.1",
                };
            }

            var members = new MemberTable(identity.NodeId, advertise, offered, store.FreeBytes, options.Site, DateTimeOffset.UtcNow);
            if (File.Exists(Path.Combine(first, DrainingMarker)))
            {
                members.SetSelfState(MemberStates.Draining);
            }

            segments = Ugloo.Node.Repair.SegmentRecords.Open(first);
            return new NodeRuntime(options, identity, store, storeOptions, credentials, serverOptions, listener, listenAddress, advertise, offered, members, segments)
            {
                Roots = RootStore.Open(first),
            };
        }
        catch
        {
            listener?.Dispose();
            credentials?.Dispose();
            segments?.Dispose();
            identity.Dispose();
            throw;
        }
        finally
        {
            if (clusterKey is not null)
            {
                CryptographicOperations.ZeroMemory(clusterKey);
            }
        }
    }

    public void Dispose()
    {
        Listener.Dispose();
        Credentials?.Dispose();
        Segments.Dispose();
        Identity.Dispose();
    }

    private static byte[]? LoadClusterKey(string? path)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            return ClusterKey.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Engine.Crypto.KeyFileException)
        {
            throw new OptionsException($"--cluster-key: {e.Message}", e);
        }
    }

    private static Socket Bind(string listen, out string bound)
    {
        DnsEndPoint endpoint = Endpoints.Parse(listen);
        IPAddress address = IPAddress.TryParse(endpoint.Host, out IPAddress? literal)
            ? literal
            : Dns.GetHostAddresses(endpoint.Host).FirstOrDefault()
                ?? throw new OptionsException($"--listen '{listen}': host name does not resolve.");
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (!OperatingSystem.IsWindows())
            {
                // A restarted node must get its port back while connections of its previous run linger in
                // TIME_WAIT (SO_REUSEADDR; on Windows that option would allow stealing a bound port).
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(new IPEndPoint(address, endpoint.Port));
            socket.Listen(512);
            bound = Endpoints.Format((IPEndPoint)socket.LocalEndPoint!);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {listen}: {e.Message}", e);
        }
    }

    /// <summary>The listen address, unless it is a wildcard, which no peer can dial: then this machine's name.</summary>
    private static string DefaultAdvertise(string listen, int port)
    {
        DnsEndPoint endpoint = Endpoints.Parse(listen);
        string host = endpoint.Host;
        if (IPAddress.TryParse(host, out IPAddress? ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            host = Dns.GetHostName();
        }

        return Endpoints.Format(new DnsEndPoint(host, port));
    }
}
