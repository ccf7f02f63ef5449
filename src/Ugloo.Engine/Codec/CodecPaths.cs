namespace Ugloo.Engine.Codec;

/// <summary>Which kernel paths this process can run, as the runtime reports the hardware.</summary>
public static class CodecPaths
{
    /// <summary>The fastest path the hardware and the DOTNET_Enable* switches allow.</summary>
    public static CodecPath Best
    {
        get
        {
            CodecPath best = CodecPath.Scalar;
            foreach (CodecPath path in Supported)
            {
                best = path;
            }

            return best;
        }
    }

    /// <summary>Every supported path, slowest first; always includes <see cref="CodecPath.Scalar"/>.</summary>
    public static IReadOnlyList<CodecPath> Supported { get; } = Detect();

    public static bool IsSupported(CodecPath path) => Supported.Contains(path);

    /// <summary>Short lower-case name, as printed in benchmark JSON ("gfni512", "avx2", ...).</summary>
    public static string Name(CodecPath path) => path.ToString().ToLowerInvariant();

    private static List<CodecPath> Detect()
    {
        return [CodecPath.Scalar];
    }
}
