using System.Globalization;

namespace Ugloo.Node.Hosting;

/// <summary>Durations as people type them: "500ms", "5s", "2m", "1h", or a bare number of seconds ("15", "0.5").</summary>
internal static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim();
        (string number, double scale) = s switch
        {
            _ when s.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (s[..^2], 0.001),
            _ when s.EndsWith('s') || s.EndsWith('S') => (s[..^1], 1.0),
            _ when s.EndsWith('m') || s.EndsWith('M') => (s[..^1], 60.0),
            _ when s.EndsWith('h') || s.EndsWith('H') => (s[..^1], 3600.0),
            _ => (s, 1.0),
        };

        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount))
        {
            return false;
        }

        double seconds = amount * scale;
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    public static string Format(TimeSpan value) =>
        value.TotalSeconds >= 1 && value.Milliseconds == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0}s")
            : string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0}ms");
}
