using System.Diagnostics;

namespace Ugloo.Node.Hosting;

/// <summary>
/// Paces background work (scrub, repair) to a byte rate so it never starves client I/O. Callers report bytes
/// after doing the work and are delayed until the rate allows it; at most one second of idle time is banked,
/// so a quiet spell cannot turn into an unbounded burst. Thread-safe: callers share one budget.
/// </summary>
internal sealed class ByteThrottle
{
    private readonly long _bytesPerSecond;
    private readonly Lock _gate = new();

    // Stopwatch timestamp at which the bytes reported so far are paid for.
    private long _paidUntil = Stopwatch.GetTimestamp();

    public ByteThrottle(long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerSecond, 1);
        _bytesPerSecond = bytesPerSecond;
    }

    public Task ConsumeAsync(long bytes, CancellationToken cancellationToken)
    {
        long wait;
        lock (_gate)
        {
            long now = Stopwatch.GetTimestamp();
            _paidUntil = Math.Max(_paidUntil, now - Stopwatch.Frequency);

            // In double: bytes times the timestamp frequency (about 1e9) can overflow a long for large batches.
            _paidUntil += (long)((double)bytes * Stopwatch.Frequency / _bytesPerSecond);
            wait = _paidUntil - now;
        }

        return wait > 0 ? Task.Delay(Stopwatch.GetElapsedTime(0, wait), cancellationToken) : Task.CompletedTask;
    }
}
