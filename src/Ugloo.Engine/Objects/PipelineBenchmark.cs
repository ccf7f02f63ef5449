using System.Diagnostics;
using Ugloo.Engine.Crypto;

namespace Ugloo.Engine.Objects;

/// <summary>
/// Measures the write pipeline (read generated input, seal, RS-encode, hash) into a
/// <see cref="NullFragmentSink"/>, for <c>ugloo bench pipeline</c>. No network or disk is involved.
/// </summary>
public static class PipelineBenchmark
{
    /// <summary>
    /// Writes <paramref name="plaintextBytes"/> of generated data with <paramref name="options"/> (set
    /// <see cref="ObjectPipelineOptions.DegreeOfParallelism"/> to choose the worker count) after a
    /// warm-up object of a few segments, and reports the timed run.
    /// </summary>
    public static async Task<PipelineBenchmarkResult> MeasureWriteAsync(long plaintextBytes, ObjectPipelineOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextBytes);
        var writer = new ObjectWriter(options);

        // Warm-up: JIT tiers, pool buffers, AES key schedule paths.
        long warmUp = Math.Min(plaintextBytes, 4L * options.SegmentSize);
        using (ObjectKey warmKey = ObjectKey.Generate())
        {
            using var warmInput = new GeneratedStream(warmUp, seed: 1);
            await writer.WriteAsync(warmInput, new NullFragmentSink(), ObjectId.New(), warmKey, cancellationToken).ConfigureAwait(false);
        }

        var sink = new NullFragmentSink();
        using ObjectKey key = ObjectKey.Generate();
        using var input = new GeneratedStream(plaintextBytes, seed: 2);
        long started = Stopwatch.GetTimestamp();
        await writer.WriteAsync(input, sink, ObjectId.New(), key, cancellationToken).ConfigureAwait(false);
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        return new PipelineBenchmarkResult(plaintextBytes, sink.Bytes, sink.Fragments, elapsed, writer.DegreeOfParallelism, writer.Codec.Path.ToString());
    }
}

/// <summary>One timed pipeline run. Rates are in decimal GB/s (10^9 bytes per second) of plaintext.</summary>
public sealed record PipelineBenchmarkResult(long PlaintextBytes, long StoredBytes, long Fragments, TimeSpan Elapsed, int DegreeOfParallelism, string CodecPath)
{
    public double PlaintextGigabytesPerSecond => PlaintextBytes / Elapsed.TotalSeconds / 1e9;

    public double StoredGigabytesPerSecond => StoredBytes / Elapsed.TotalSeconds / 1e9;
}
