using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ugloo.Engine.Codec;

/// <summary>
/// Portable split-nibble multiply on 16 bytes: <see cref="Vector128.ShuffleNative(Vector128{byte}, Vector128{byte})"/>
/// is PSHUFB on x64 (SSSE3) and TBL on Arm64; both return <c>table[index]</c> for indices 0..15, which
/// is all the nibble lookups use (their out-of-range behaviours differ, and never matter here).
/// </summary>
internal readonly struct Vector128Kernel : IGfKernel<Vector128<byte>, NibbleInput<Vector128<byte>>>
{
    public static int Width => 16;

    public static int TableStride => GfTables.NibbleStride;

    public static int MaxGroup => 4;

    public static bool TwoVectors => false;

    public static Vector128<byte> Zero => Vector128<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NibbleInput<Vector128<byte>> Load(ref byte source)
    {
        Vector128<byte> x = Vector128.LoadUnsafe(ref source);
        Vector128<byte> mask = Vector128.Create((byte)0x0F);
        return new(x & mask, Vector128.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> MultiplyXor(Vector128<byte> accumulator, NibbleInput<Vector128<byte>> x, ref byte table)
    {
        Vector128<byte> low = Vector128.ShuffleNative(Vector128.LoadUnsafe(ref table), x.Low);
        Vector128<byte> high = Vector128.ShuffleNative(Vector128.LoadUnsafe(ref table, GfTables.NibbleHalf), x.High);
        return accumulator ^ low ^ high;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> MultiplyXor2(Vector128<byte> accumulator, NibbleInput<Vector128<byte>> x0, ref byte table0, NibbleInput<Vector128<byte>> x1, ref byte table1) =>
        MultiplyXor(MultiplyXor(accumulator, x0, ref table0), x1, ref table1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<byte> value, ref byte destination) => value.StoreUnsafe(ref destination);
}
