namespace Ugloo.Mount.S3.Auth;

/// <summary>
/// What SigV4 covers of an HTTP request, independent of ASP.NET (so the signer is testable against AWS's
/// published vectors): the method, the path and query exactly as sent (still percent-encoded), and the
/// headers with lower-case names (repeated headers joined with ',').
/// </summary>
internal sealed record SignedRequest(string Method, string RawPath, string RawQuery, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;

    /// <summary>The query parameters, percent-decoded, in the order sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; } = ParseQuery(RawQuery);

    public string? QueryValue(string name) => Query.FirstOrDefault(p => p.Key == name).Value;

    public bool HasQuery(string name) => Query.Any(p => p.Key == name);

    private static List<KeyValuePair<string, string>> ParseQuery(string raw)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (string part in raw.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? part : part[..eq];
            string value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(SigV4.PercentDecode(name), SigV4.PercentDecode(value)));
        }

        return pairs;
    }
}
