using System.Globalization;

namespace Ugloo.Mount.Bench;

/// <summary>
/// One pipeline figure (encrypt + encode + hash of generated input, no disk or network):
/// <c>{"impl":"ugloo","op":"pipeline","threads":2,"k":4,"m":2,"segment_bytes":4194304,"input_bytes":…,"gbps":…,"path":"gfni512","peak_rss_bytes":…}</c>.
/// GB/s counts user data (plaintext); the peak is the whole process's resident set so far.
/// </summary>
internal sealed record PipelineBenchFigure(int Threads, int K, int M, int SegmentBytes, long InputBytes, double Gbps, string Path, long PeakRssBytes)
{
    public string ToJson() => string.Create(
        CultureInfo.InvariantCulture,
        $"{{\"impl\":\"ugloo\",\"op\":\"pipeline\",\"threads\":{Threads},\"k\":{K},\"m\":{M},\"segment_bytes\":{SegmentBytes},\"input_bytes\":{InputBytes},\"gbps\":{Gbps:0.0##},\"path\":\"{Path}\",\"peak_rss_bytes\":{PeakRssBytes}}}");

    public string ToText() => string.Create(
        CultureInfo.InvariantCulture,
        $"pipeline RS({K},{M}) {Threads} thread(s) {Engine.ByteSize.Format(InputBytes)} in {Engine.ByteSize.Format(SegmentBytes)} segments  {Gbps,6:F2} GB/s  [{Path}]  peak RSS {Engine.ByteSize.Format(PeakRssBytes)}");
}
