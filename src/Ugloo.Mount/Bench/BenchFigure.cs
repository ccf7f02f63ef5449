using System.Globalization;
using System.Text;

namespace Ugloo.Mount.Bench;

/// <summary>
/// One codec figure, printed as the JSON line shape of <c>isal-ec</c> plus the kernel path:
/// <c>{"impl":"ugloo","op":"encode","k":10,"m":4,"fragment_bytes":1048576,"gbps":31.2,"path":"gfni512"}</c>.
/// </summary>
internal sealed record BenchFigure(string Op, int K, int M, int? Lost, int FragmentBytes, double Gbps, string Path)
{
    public string ToJson()
    {
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"impl\":\"ugloo\",\"op\":\"{Op}\",\"k\":{K},\"m\":{M}");
        if (Lost is int lost)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"lost\":{lost}");
        }

        json.Append(CultureInfo.InvariantCulture, $",\"fragment_bytes\":{FragmentBytes},\"gbps\":{Gbps:0.0##},\"path\":\"{Path}\"}}");
        return json.ToString();
    }

    public string ToText() =>
        string.Create(CultureInfo.InvariantCulture, $"{Op,-7} RS({K},{M}) {FragmentBytes / 1024,6} KiB fragments  {Gbps,7:F2} GB/s  [{Path}]");
}
