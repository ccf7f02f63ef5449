using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ugloo.Engine.Codec;

/// <summary>
/// GFNI on 32 bytes: the <see cref="Gfni512Kernel"/> technique with the matrix qword repeated in four
/// 64-bit lanes. With AVX-512VL the JIT uses the EVEX form (32 registers, embedded broadcast, VPTERNLOG);
/// without it (DOTNET_EnableAVX512=0) the VEX form with 16 registers, so fewer rows per group.
/// </summary>
internal readonly struct Gfni256Kernel : IGfKernel<Vector256<byte>, Vector256<byte>>
{
    public static int Width => 32;

    public static int TableStride => sizeof(ulong);

    public static int MaxGroup => Avx512F.VL.IsSupported ? 8 : 6;

    public static bool TwoVectors => Avx512F.VL.IsSupported;

    public static Vector256<byte> Zero => Vector256<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Load(ref byte source) => Vector256.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> MultiplyXor(Vector256<byte> accumulator, Vector256<byte> x, ref byte table) =>
        accumulator ^ Multiply(x, ref table);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> MultiplyXor2(Vector256<byte> accumulator, Vector256<byte> x0, ref byte table0, Vector256<byte> x1, ref byte table1)
    {
        if (Avx512F.VL.IsSupported)
        {
            return Avx512F.VL.TernaryLogic(accumulator, Multiply(x0, ref table0), Multiply(x1, ref table1), Gfni512Kernel.Xor3);
        }

        return accumulator ^ Multiply(x0, ref table0) ^ Multiply(x1, ref table1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<byte> value, ref byte destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Multiply(Vector256<byte> x, ref byte table) =>
        Gfni.V256.GaloisFieldAffineTransform(x, Vector256.Create(Unsafe.ReadUnaligned<ulong>(ref table)).AsByte(), 0);
}
