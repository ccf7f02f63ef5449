using System.CommandLine;
using System.Globalization;
using Ugloo.Engine;
using Ugloo.Engine.Codec;
using Ugloo.Engine.Objects;
using Ugloo.Mount.Bench;

namespace Ugloo.Mount.Cli;

/// <summary><c>ugloo bench codec|pipeline</c>: figures a user can reproduce on their own machine.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the codec and the object pipeline on this machine.");
        bench.Subcommands.Add(CreateCodec());
        bench.Subcommands.Add(CreatePipeline());
        return bench;
    }

    private static Command CreateCodec()
    {
        var json = new Option<bool>("--json") { Description = "One JSON line per figure, the shape of ISA-L's isal-ec anchor." };
        var path = new Option<string>("--path")
        {
            Description = "Kernel path: best (default), all, or one of scalar, vector128, avx2, avx512, gfni256, gfni512.",
            DefaultValueFactory = _ => "best",
        };
        var sizes = new Option<int[]>("--fragment-bytes")
        {
            Description = "Fragment sizes in bytes (default 65536 1048576).",
            AllowMultipleArgumentsPerToken = true,
        };
        var codes = new Option<string[]>("--code")
        {
            Description = "Codes as K,M (default 10,4 16,4 20,10 64,16 128,32 200,55).",
            AllowMultipleArgumentsPerToken = true,
        };
        var trial = new Option<double>("--trial-seconds")
        {
            Description = "Length of each of the three timed trials (default 0.5 s, as isal-ec).",
            DefaultValueFactory = _ => 0.5,
        };

        var command = new Command("codec", "Single-thread Reed-Solomon encode/decode GB/s for each code and fragment size.")
        {
            json, path, sizes, codes, trial,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            IReadOnlyList<CodecPath> paths = ParsePaths(parse.GetValue(path)!);
            int[] fragmentSizes = parse.GetValue(sizes) is { Length: > 0 } s ? s : CodecBenchmark.DefaultFragmentSizes;
            if (fragmentSizes.Any(x => x <= 0))
            {
                throw new UsageException("--fragment-bytes must be positive.");
            }

            var benchmark = new CodecBenchmark
            {
                Codes = parse.GetValue(codes) is { Length: > 0 } c ? [.. c.Select(ParseCode)] : CodecBenchmark.DefaultCodes,
                FragmentSizes = fragmentSizes,
                Paths = paths,
                TrialSeconds = parse.GetValue(trial),
            };
            bool asJson = parse.GetValue(json);
            if (!asJson)
            {
                Console.WriteLine($"Supported paths: {string.Join(", ", CodecPaths.Supported.Select(CodecPaths.Name))}; single thread.");
            }

            foreach (BenchFigure figure in benchmark.Run(cancellationToken))
            {
                Console.WriteLine(asJson ? figure.ToJson() : figure.ToText());
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command CreatePipeline()
    {
        var json = new Option<bool>("--json") { Description = "One JSON line per figure." };
        var size = new Option<string>("--size")
        {
            Description = "Input size (default 1G); memory stays bounded whatever the size.",
            DefaultValueFactory = _ => "1G",
        };
        var code = new Option<string>("--code") { Description = "Code as K,M (default 4,2).", DefaultValueFactory = _ => "4,2" };
        var segment = new Option<string>("--segment-size") { Description = "Segment size (default 8M).", DefaultValueFactory = _ => "8M" };
        var threads = new Option<int[]>("--threads")
        {
            Description = "Worker counts to measure (default: 1 and every core).",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("pipeline", "Encrypt + encode + hash GB/s of user data, one thread and all threads, with peak memory.")
        {
            json, size, code, segment, threads,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            long inputBytes = ParseSize(parse.GetValue(size)!, "--size");
            long segmentBytes = ParseSize(parse.GetValue(segment)!, "--segment-size");
            if (segmentBytes is < ObjectManifest.MinSegmentSize or > ObjectManifest.MaxSegmentSize)
            {
                throw new UsageException($"--segment-size must be between {ByteSize.Format(ObjectManifest.MinSegmentSize)} and {ByteSize.Format(ObjectManifest.MaxSegmentSize)}.");
            }

            (int k, int m) = ParseCode(parse.GetValue(code)!);
            int[] counts = parse.GetValue(threads) is { Length: > 0 } t ? t : Environment.ProcessorCount > 1 ? [1, Environment.ProcessorCount] : [1];
            if (counts.Any(c => c < 1))
            {
                throw new UsageException("--threads must be at least 1.");
            }

            bool asJson = parse.GetValue(json);
            foreach (int count in counts)
            {
                var options = new ObjectPipelineOptions
                {
                    SegmentSize = (int)segmentBytes,
                    DataFragments = k,
                    ParityFragments = m,
                    DegreeOfParallelism = count,
                };
                PipelineBenchmarkResult result = await PipelineBenchmark.MeasureWriteAsync(inputBytes, options, cancellationToken);
                var figure = new PipelineBenchFigure(count, k, m, (int)segmentBytes, inputBytes, result.PlaintextGigabytesPerSecond, CodecPaths.Name(Enum.Parse<CodecPath>(result.CodecPath)), PeakMemory.ResidentBytes());
                Console.WriteLine(asJson ? figure.ToJson() : figure.ToText());
            }

            return 0;
        });
        return command;
    }

    private static long ParseSize(string value, string option)
    {
        if (!ByteSize.TryParse(value, out long bytes) || bytes < 0)
        {
            throw new UsageException($"{option} '{value}' is not a size such as 1G or 512M.");
        }

        return bytes;
    }

    internal static IReadOnlyList<CodecPath> ParsePaths(string value)
    {
        if (value.Equals("best", StringComparison.OrdinalIgnoreCase))
        {
            return [CodecPaths.Best];
        }

        if (value.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return CodecPaths.Supported;
        }

        if (!Enum.TryParse(value, ignoreCase: true, out CodecPath path) || !Enum.IsDefined(path))
        {
            throw new UsageException($"Unknown codec path '{value}'. Use best, all or one of: {string.Join(", ", Enum.GetNames<CodecPath>()).ToLowerInvariant()}.");
        }

        if (!CodecPaths.IsSupported(path))
        {
            throw new UsageException($"Codec path '{value}' is not supported on this machine (supported: {string.Join(", ", CodecPaths.Supported.Select(CodecPaths.Name))}).");
        }

        return [path];
    }

    internal static (int K, int M) ParseCode(string value)
    {
        string[] parts = value.Split(',');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int m)
            || k < 1 || k + m > ReedSolomon.MaxFragments)
        {
            throw new UsageException($"Bad code '{value}': expected K,M with K >= 1 and K + M <= {ReedSolomon.MaxFragments}.");
        }

        return (k, m);
    }
}
