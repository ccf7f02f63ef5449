using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ugloo.Engine.Codec;

/// <summary>
/// GFNI on 64 bytes: one VGF2P8AFFINEQB multiplies all 64 bytes by a coefficient. The coefficient's
/// 8x8 bit matrix (<see cref="GfTables.AffineMatrix"/>) is one qword in the table; <c>Vector512.Create(ulong)</c>
/// repeats it in all eight 64-bit lanes, and the JIT folds that load into the instruction's embedded
/// broadcast (<c>{1to8}</c>), so a product costs one port-0/5 uop and no shuffle.
/// </summary>
internal readonly struct Gfni512Kernel : IGfKernel<Vector512<byte>, Vector512<byte>>
{
    /// <summary>VPTERNLOG immediate for A XOR B XOR C: the truth table over (a, b, c) bit triples is odd parity, 0b1001_0110.</summary>
    public const byte Xor3 = 0x96;

    public static int Width => 64;

    public static int TableStride => sizeof(ulong);

    // 8 accumulators + 2 inputs + 2 products use 12 of the 32 ZMM registers; more rows per group would
    // cut input reloads further but 8 already makes them a small share of the load-port traffic.
    public static int MaxGroup => 8;

    public static bool TwoVectors => true;

    public static Vector512<byte> Zero => Vector512<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Load(ref byte source) => Vector512.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> MultiplyXor(Vector512<byte> accumulator, Vector512<byte> x, ref byte table) =>
        accumulator ^ Multiply(x, ref table);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> MultiplyXor2(Vector512<byte> accumulator, Vector512<byte> x0, ref byte table0, Vector512<byte> x1, ref byte table1) =>
        Avx512F.TernaryLogic(accumulator, Multiply(x0, ref table0), Multiply(x1, ref table1), Xor3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<byte> value, ref byte destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Multiply(Vector512<byte> x, ref byte table) =>
        Gfni.V512.GaloisFieldAffineTransform(x, Vector512.Create(Unsafe.ReadUnaligned<ulong>(ref table)).AsByte(), 0);
}
