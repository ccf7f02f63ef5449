using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ugloo.Engine.Codec;

/// <summary>
/// GFNI on 16 bytes: the matrix qword in both 64-bit lanes. Not a path of its own; it finishes
/// fragments shorter than 32 bytes for the GFNI paths so they need no table but the affine one.
/// </summary>
internal readonly struct Gfni128Kernel : IGfKernel<Vector128<byte>, Vector128<byte>>
{
    public static int Width => 16;

    public static int TableStride => sizeof(ulong);

    public static int MaxGroup => 6;

    public static bool TwoVectors => false;

    public static Vector128<byte> Zero => Vector128<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Load(ref byte source) => Vector128.LoadUnsafe(ref source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> MultiplyXor(Vector128<byte> accumulator, Vector128<byte> x, ref byte table) =>
        accumulator ^ Multiply(x, ref table);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> MultiplyXor2(Vector128<byte> accumulator, Vector128<byte> x0, ref byte table0, Vector128<byte> x1, ref byte table1) =>
        accumulator ^ Multiply(x0, ref table0) ^ Multiply(x1, ref table1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<byte> value, ref byte destination) => value.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Multiply(Vector128<byte> x, ref byte table) =>
        Gfni.GaloisFieldAffineTransform(x, Vector128.Create(Unsafe.ReadUnaligned<ulong>(ref table)).AsByte(), 0);
}
