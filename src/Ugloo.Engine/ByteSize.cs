using System.Globalization;

namespace Ugloo.Engine;

/// <summary>
/// Sizes as people type and read them: "500M", "10GiB", "1.5T", "4096". Suffixes are binary (K = 1024),
/// as <c>df -h</c> and <c>ls -h</c> use them; an optional "B" or "iB" is accepted.
/// </summary>
public static class ByteSize
{
    private static readonly string[] s_units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static long Parse(string text)
    {
        if (!TryParse(text, out long bytes))
        {
            throw new FormatException($"'{text}' is not a size; use a number with an optional K, M, G, T or P suffix (e.g. 500M, 2TiB).");
        }

        return bytes;
    }

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim();
        int end = s.Length;
        if (s.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
        {
            end -= 2;
        }
        else if (s.EndsWith('B') || s.EndsWith('b'))
        {
            end -= 1;
        }

        int shift = 0;
        if (end > 0)
        {
            shift = char.ToUpperInvariant(s[end - 1]) switch
            {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                'P' => 50,
                _ => 0,
            };
            if (shift != 0)
            {
                end--;
            }
        }

        if (!double.TryParse(s.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            return false;
        }

        double value = number * Math.Pow(2, shift);
        if (value < 0 || value > long.MaxValue)
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>"1.5 GiB", "512 B".</summary>
    public static string Format(long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < s_units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {s_units[unit]}");
    }
}
