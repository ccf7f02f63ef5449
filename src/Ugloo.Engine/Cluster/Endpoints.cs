using System.Globalization;
using System.Net;

namespace Ugloo.Engine.Cluster;

/// <summary>HOST:PORT strings as users write them: "127.0.0.1:6881", "node3.lan:6881", "[::1]:6881".</summary>
public static class Endpoints
{
    public static bool TryParse(string? text, out DnsEndPoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            // An IPv6 literal needs brackets, or its last group would be read as the port.
            return false;
        }

        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 0 or > 65535 || host.Length == 0)
        {
            return false;
        }

        endpoint = new DnsEndPoint(host, port);
        return true;
    }

    public static DnsEndPoint Parse(string text) =>
        TryParse(text, out DnsEndPoint endpoint) ? endpoint : throw new FormatException($"'{text}' is not HOST:PORT.");

    public static string Format(DnsEndPoint endpoint) =>
        endpoint.Host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{endpoint.Host}]:{endpoint.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{endpoint.Host}:{endpoint.Port}");

    public static string Format(IPEndPoint endpoint) => Format(new DnsEndPoint(endpoint.Address.ToString(), endpoint.Port));
}
