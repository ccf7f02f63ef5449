using System.Diagnostics;
using System.Globalization;
using Ugloo.Engine.Codec;

namespace Ugloo.Benchmarks.Codec;

/// <summary>
/// A quick run in the exact shape of <c>../shared/anchors/isal-ec</c> (same codes, same decode pattern,
/// GB/s over the k data fragments, median of 3 trials of ~0.5 s, one JSON line each) so the two can be
/// run back to back and compared line by line. BenchmarkDotNet is the careful measurement; this is
/// the fast one for tuning.
/// <c>dotnet run -c Release --project benchmarks/Ugloo.Benchmarks -- codec-json [paths] [fragment sizes]</c>,
/// e.g. <c>codec-json gfni512,avx512 65536,1048576</c>.
/// </summary>
internal static class CodecThroughputRun
{
    private static readonly (int K, int M)[] s_codes = [(10, 4), (16, 4), (20, 10), (64, 16), (128, 32), (200, 55)];

    public static void Run(string[] args)
    {
        CodecPath[] paths = args.Length > 0
            ? [.. args[0].Split(',').Select(p => Enum.Parse<CodecPath>(p, ignoreCase: true))]
            : [CodecPaths.Best];
        int[] sizes = args.Length > 1
            ? [.. args[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]
            : [65536, 1048576];
        foreach (int length in sizes)
        {
            foreach ((int k, int m) in s_codes)
            {
                foreach (CodecPath path in paths)
                {
                    RunOne(path, k, m, length);
                }
            }
        }
    }

    private static void RunOne(CodecPath path, int k, int m, int length)
    {
        var random = new Random(1);
        var codec = new ReedSolomon(k, m, path);
        byte[][] fragments = new byte[k + m][];
        for (int i = 0; i < fragments.Length; i++)
        {
            fragments[i] = new byte[length];
            random.NextBytes(fragments[i]);
        }

        ReadOnlyMemory<byte>[] data = [.. fragments[..k].Select(f => (ReadOnlyMemory<byte>)f)];
        Memory<byte>[] parity = [.. fragments[k..].Select(f => (Memory<byte>)f)];
        double encode = Median(() => codec.Encode(data, parity), k, length);
        Print(path, "encode", k, m, length, encode, lost: null);

        // Lose the first min(m, k) data fragments, rebuild them from the next k survivors.
        int lost = Math.Min(m, k);
        int[] survivors = [.. Enumerable.Range(lost, k)];
        ReadOnlyMemory<byte>[] available = [.. survivors.Select(i => (ReadOnlyMemory<byte>)fragments[i])];
        int[] wanted = [.. Enumerable.Range(0, lost)];
        byte[][] rebuilt = [.. wanted.Select(_ => new byte[length])];
        Memory<byte>[] outputs = [.. rebuilt.Select(b => (Memory<byte>)b)];
        double decode = Median(() => codec.Reconstruct(survivors, available, wanted, outputs), k, length);
        for (int i = 0; i < lost; i++)
        {
            if (!rebuilt[i].AsSpan().SequenceEqual(fragments[i]))
            {
                throw new InvalidOperationException($"decode mismatch RS({k},{m})");
            }
        }

        Print(path, "decode", k, m, length, decode, lost);
    }

    private static double Median(Action operation, int k, int length)
    {
        double[] trials = new double[3];
        for (int t = 0; t < trials.Length; t++)
        {
            operation();
            long iterations = 0;
            var clock = Stopwatch.StartNew();
            do
            {
                operation();
                iterations++;
            }
            while (clock.Elapsed.TotalSeconds < 0.5);
            trials[t] = iterations * (double)k * length / clock.Elapsed.TotalSeconds / 1e9;
        }

        Array.Sort(trials);
        return trials[1];
    }

    private static void Print(CodecPath path, string op, int k, int m, int length, double gbps, int? lost)
    {
        string lostField = lost is int l ? $"\"lost\":{l}," : string.Empty;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{{\"impl\":\"ugloo-{CodecPaths.Name(path)}\",\"op\":\"{op}\",\"k\":{k},\"m\":{m},{lostField}\"fragment_bytes\":{length},\"gbps\":{gbps:F2}}}"));
    }
}
