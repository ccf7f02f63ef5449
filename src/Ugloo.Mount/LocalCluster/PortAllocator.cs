using System.Net;
using System.Net.Sockets;

namespace Ugloo.Mount.LocalCluster;

/// <summary>Chooses loopback ports for new nodes.</summary>
internal static class PortAllocator
{
    /// <summary>
    /// <paramref name="count"/> ports: from <paramref name="basePort"/> upwards when given (each must be
    /// free), else ports the kernel hands out as free now. The choice is written to volume.json, so a port
    /// taken later by something else shows up as a clear start-up error, not as a moving cluster.
    /// </summary>
    public static IReadOnlyList<int> Allocate(int count, int? basePort, ISet<int> taken)
    {
        var ports = new List<int>(count);
        if (basePort is int first)
        {
            for (int port = first; ports.Count < count; port++)
            {
                if (port > IPEndPoint.MaxPort)
                {
                    throw new InvalidOperationException($"No room for {count} ports from --base-port {first}.");
                }

                if (taken.Contains(port))
                {
                    continue;
                }

                if (!IsFree(port))
                {
                    throw new InvalidOperationException($"Port {port} (from --base-port {first}) is in use; choose another --base-port.");
                }

                ports.Add(port);
            }

            return ports;
        }

        // Below the kernel's ephemeral range (32768+ on Linux by default), so an outgoing connection cannot be
        // holding the port when the cluster restarts; a random start keeps two clusters created at once apart.
        int low = 20000;
        int high = Math.Max(low + 1000, EphemeralLow() - 1);
        int candidate = Random.Shared.Next(low, high);
        for (int tried = 0; ports.Count < count; tried++, candidate = candidate >= high ? low : candidate + 1)
        {
            if (tried > high - low)
            {
                throw new InvalidOperationException("No free loopback port found; pass --base-port.");
            }

            if (!taken.Contains(candidate) && IsFree(candidate))
            {
                ports.Add(candidate);
            }
        }

        return ports;
    }

    private static int EphemeralLow()
    {
        try
        {
            string[] range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32768;
        }
    }

    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
