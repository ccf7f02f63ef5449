using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ugloo.Engine.Codec;

/// <summary>
/// AVX-512BW split-nibble multiply on 64 bytes (the technique of ISA-L's non-GFNI kernels).
/// <para>
/// Lane by lane: VPSHUFB looks up each byte's low 4 bits in the 16-byte table of its own 128-bit lane,
/// so the coefficient's 16-byte low-nibble table is stored once per lane (<see cref="GfTables.NibbleTable"/>),
/// loaded as one 64-byte vector and indexed by
/// <c>x &amp; 0x0F</c>; the high-nibble table likewise by <c>(x &gt;&gt; 4) &amp; 0x0F</c>. AVX-512 has no byte
/// shift, so the shift is a 16-bit VPSRLW by 4: each byte receives its own high nibble in bits 0..3 and
/// the neighbour's low nibble in bits 4..7, which the mask clears. The two lookups XOR into the
/// accumulator in one VPTERNLOG.
/// </para>
/// </summary>
internal readonly struct Avx512Kernel : IGfKernel<Vector512<byte>, NibbleInput<Vector512<byte>>>
{
    public static int Width => 64;

    public static int TableStride => GfTables.NibbleStride;

    public static int MaxGroup => 8;

    public static bool TwoVectors => true;

    public static Vector512<byte> Zero => Vector512<byte>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static NibbleInput<Vector512<byte>> Load(ref byte source)
    {
        Vector512<byte> x = Vector512.LoadUnsafe(ref source);
        Vector512<byte> mask = Vector512.Create((byte)0x0F);
        return new(x & mask, Avx512BW.ShiftRightLogical(x.AsUInt16(), 4).AsByte() & mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> MultiplyXor(Vector512<byte> accumulator, NibbleInput<Vector512<byte>> x, ref byte table)
    {
        Vector512<byte> low = Avx512BW.Shuffle(Vector512.LoadUnsafe(ref table), x.Low);
        Vector512<byte> high = Avx512BW.Shuffle(Vector512.LoadUnsafe(ref table, GfTables.NibbleHalf), x.High);
        return Avx512F.TernaryLogic(accumulator, low, high, Gfni512Kernel.Xor3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> MultiplyXor2(Vector512<byte> accumulator, NibbleInput<Vector512<byte>> x0, ref byte table0, NibbleInput<Vector512<byte>> x1, ref byte table1) =>
        MultiplyXor(MultiplyXor(accumulator, x0, ref table0), x1, ref table1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<byte> value, ref byte destination) => value.StoreUnsafe(ref destination);
}
