using System.Diagnostics;

namespace Ugloo.Mount.Bench;

/// <summary>
/// Measures an operation the way <c>../shared/anchors/isal-ec</c> does, so figures compare: one warm-up
/// call, then three trials that each repeat the call for at least <c>trialSeconds</c>; the median trial
/// counts.
/// </summary>
internal static class Throughput
{
    public static double MedianGigabytesPerSecond(Action operation, long bytesPerCall, double trialSeconds)
    {
        Span<double> trials = stackalloc double[3];
        for (int t = 0; t < trials.Length; t++)
        {
            operation();
            long iterations = 0;
            long start = Stopwatch.GetTimestamp();
            TimeSpan elapsed;
            do
            {
                operation();
                iterations++;
                elapsed = Stopwatch.GetElapsedTime(start);
            }
            while (elapsed.TotalSeconds < trialSeconds);

            trials[t] = iterations * (double)bytesPerCall / elapsed.TotalSeconds / 1e9;
        }

        trials.Sort();
        return trials[1];
    }
}
