namespace Ugloo.Engine.Codec;

/// <summary>
/// One SIMD width of one multiply technique (GFNI affine or split-nibble shuffles), as static members
/// so <see cref="KernelLoop{TKernel, TVector, TInput}"/> is written once and the JIT specialises it per
/// struct (the garnet pattern): every call below inlines and <see cref="Width"/> folds to a constant.
/// </summary>
/// <typeparam name="TVector">The register type the accumulators live in.</typeparam>
/// <typeparam name="TInput">An input column as the multiply wants it (the vector, or its two nibbles).</typeparam>
internal interface IGfKernel<TVector, TInput>
    where TVector : struct
    where TInput : struct
{
    /// <summary>Bytes per vector.</summary>
    public static abstract int Width { get; }

    /// <summary>Bytes per coefficient in the plan's table (8 for an affine matrix, 32 for nibble tables).</summary>
    public static abstract int TableStride { get; }

    /// <summary>Most output rows whose accumulators stay in registers at once.</summary>
    public static abstract int MaxGroup { get; }

    /// <summary>Whether registers suffice for two vectors per step (two sets of accumulators).</summary>
    public static abstract bool TwoVectors { get; }

    public static abstract TVector Zero { get; }

    /// <summary>Loads <see cref="Width"/> bytes from any alignment and prepares them for multiplying.</summary>
    public static abstract TInput Load(ref byte source);

    /// <summary><c>accumulator XOR coefficient * x</c>, the coefficient given by its table entry.</summary>
    public static abstract TVector MultiplyXor(TVector accumulator, TInput x, ref byte table);

    /// <summary><c>accumulator XOR c0 * x0 XOR c1 * x1</c>: lets AVX-512 merge both XORs into one VPTERNLOG.</summary>
    public static abstract TVector MultiplyXor2(TVector accumulator, TInput x0, ref byte table0, TInput x1, ref byte table1);

    public static abstract void Store(TVector value, ref byte destination);
}
