namespace Ugloo.Engine.Codec;

/// <summary>The instruction-set paths of the GF(2^8) multiply kernels, slowest first.</summary>
public enum CodecPath
{
    /// <summary>Table lookups, one byte at a time: the oracle every other path is tested against.</summary>
    Scalar,

    /// <summary>Portable Vector128 split-nibble shuffles (SSSE3 on x64, AdvSimd on Arm64).</summary>
    Vector128,

    /// <summary>AVX2 split-nibble shuffles on 32 bytes.</summary>
    Avx2,

    /// <summary>AVX-512BW split-nibble shuffles on 64 bytes.</summary>
    Avx512,

    /// <summary>GFNI affine transforms on 32 bytes.</summary>
    Gfni256,

    /// <summary>GFNI affine transforms on 64 bytes.</summary>
    Gfni512,
}
