using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ugloo.Engine.Codec;

/// <summary>
/// AVX2 split-nibble multiply on 32 bytes: <see cref="Avx512Kernel"/>'s lane layout with two 128-bit
/// lanes (VPSHUFB never crosses a lane; the first 32 bytes of each table half hold the 16-byte table twice).
/// </summary>
internal readonly struct Avx2Kernel : IGfKernel<Vector256<byte>, NibbleInput<Vector256<byte>>>
{
    public static int Width => 32;

    public static int TableStride => GfTables.NibbleStride;

    // Without AVX-512VL there are 16 YMM registers: 4 accumulators, 2 nibble vectors, the mask and the
    // table/product temporaries fit without spilling.
    public static int MaxGroup => Avx512F.VL.IsSupported ? 8 : 4;

    public static bool TwoVectors => false;

    public static Vector256<byte> Zero => Vector256<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NibbleInput<Vector256<byte>> Load(ref byte source)
    {
        Vector256<byte> x = Vector256.LoadUnsafe(ref source);
        Vector256<byte> mask = Vector256.Create((byte)0x0F);
        return new(x & mask, Avx2.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> MultiplyXor(Vector256<byte> accumulator, NibbleInput<Vector256<byte>> x, ref byte table)
    {
        Vector256<byte> low = Avx2.Shuffle(Vector256.LoadUnsafe(ref table), x.Low);
        Vector256<byte> high = Avx2.Shuffle(Vector256.LoadUnsafe(ref table, GfTables.NibbleHalf), x.High);
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.TernaryLogic(accumulator, low, high, Gfni512Kernel.Xor3);
        }

        return accumulator ^ low ^ high;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> MultiplyXor2(Vector256<byte> accumulator, NibbleInput<Vector256<byte>> x0, ref byte table0, NibbleInput<Vector256<byte>> x1, ref byte table1) =>
        MultiplyXor(MultiplyXor(accumulator, x0, ref table0), x1, ref table1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<byte> value, ref byte destination) => value.StoreUnsafe(ref destination);
}
