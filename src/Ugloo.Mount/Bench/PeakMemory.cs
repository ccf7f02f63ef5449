using System.Diagnostics;
using System.Globalization;

namespace Ugloo.Mount.Bench;

/// <summary>The process's peak resident set (VmHWM on Linux), the figure memory targets are stated in.</summary>
internal static class PeakMemory
{
    public static long ResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    // "VmHWM:   123456 kB"
                    string kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using Process self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
