using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ugloo.Engine.Codec;

/// <summary>Which kernel paths this process can run, as the runtime reports the hardware.</summary>
public static class CodecPaths
{
    private static readonly CodecPath[] s_supported = Detect();

    /// <summary>The fastest path the hardware and the DOTNET_Enable* switches allow.</summary>
    public static CodecPath Best { get; } = s_supported[^1];

    /// <summary>Every supported path, slowest first; always includes <see cref="CodecPath.Scalar"/>.</summary>
    public static IReadOnlyList<CodecPath> Supported { get; } = Array.AsReadOnly(s_supported);

    public static bool IsSupported(CodecPath path) => Array.IndexOf(s_supported, path) >= 0;

    /// <summary>Short lower-case name, as printed in benchmark JSON ("gfni512", "avx2", ...).</summary>
    public static string Name(CodecPath path) => path switch
    {
        CodecPath.Scalar => "scalar",
        CodecPath.Vector128 => "vector128",
        CodecPath.Avx2 => "avx2",
        CodecPath.Avx512 => "avx512",
        CodecPath.Gfni256 => "gfni256",
        CodecPath.Gfni512 => "gfni512",
        _ => path.ToString().ToLowerInvariant(),
    };

    // Exactly what the runtime allows, so DOTNET_EnableGFNI=0 / EnableAVX512=0 / EnableAVX2=0 /
    // EnableHWIntrinsic=0 remove paths. On .NET 10, EnableAVX2=0 leaves Gfni.V256.IsSupported true while
    // Vector256 is no longer accelerated, hence the second guard on Gfni256.
    private static CodecPath[] Detect()
    {
        var paths = new List<CodecPath> { CodecPath.Scalar };
        if (Vector128.IsHardwareAccelerated)
        {
            paths.Add(CodecPath.Vector128);
        }

        if (Avx2.IsSupported)
        {
            paths.Add(CodecPath.Avx2);
        }

        if (Avx512BW.IsSupported)
        {
            paths.Add(CodecPath.Avx512);
        }

        if (Gfni.V256.IsSupported && Vector256.IsHardwareAccelerated)
        {
            paths.Add(CodecPath.Gfni256);
        }

        if (Gfni.V512.IsSupported && Vector512.IsHardwareAccelerated)
        {
            paths.Add(CodecPath.Gfni512);
        }

        return [.. paths];
    }
}
