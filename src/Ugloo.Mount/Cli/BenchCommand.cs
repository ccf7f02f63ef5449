using System.CommandLine;
using System.Globalization;
using Ugloo.Engine.Codec;
using Ugloo.Mount.Bench;

namespace Ugloo.Mount.Cli;

/// <summary><c>ugloo bench codec|pipeline</c>: figures a user can reproduce on their own machine.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure the codec and the object pipeline on this machine.");
        bench.Subcommands.Add(CreateCodec());
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
