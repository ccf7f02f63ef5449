using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ugloo.Engine.Codec;

/// <summary>
/// The one dot-product loop every SIMD path runs: <c>outputs[r] = XOR over c of coef[r, c] * inputs[c]</c>.
/// <para>
/// Register blocking: for each vector-wide column, each input is loaded once and multiplied into up to
/// <see cref="IGfKernel{TVector, TInput}.MaxGroup"/> accumulators that stay in registers; outputs are
/// written once, never read. Cache blocking: with more output rows than one group holds, the inputs are
/// walked in column blocks sized so that k inputs x block stay in L2 while every group passes over them.
/// Tails: a length that is not a multiple of the width ends with one more vector at <c>length - Width</c>,
/// overlapping the previous one; outputs are pure functions of the same input columns, so rewriting the
/// overlap stores the same bytes (outputs must not overlap inputs, as for every path).
/// </para>
/// </summary>
internal static class KernelLoop<TKernel, TVector, TInput>
    where TKernel : IGfKernel<TVector, TInput>
    where TVector : struct
    where TInput : struct
{
    /// <summary>
    /// Runs the whole plan over <c>length</c> bytes (at least Width). <c>table</c> is the plan's table for
    /// this technique, column-major (see <see cref="GfTables"/>); <c>blockBytes</c> is the column block
    /// used when the rows need more than one group.
    /// </summary>
    public static void Execute(ReadOnlySpan<FragmentRef> inputs, ReadOnlySpan<FragmentRef> outputs, ref byte table, int length, int blockBytes)
    {
        int width = TKernel.Width;
        Debug.Assert(length >= width);
        int rows = outputs.Length;
        int groups = (rows + TKernel.MaxGroup - 1) / TKernel.MaxGroup;
        int full = length - (length % width);
        int block = groups == 1 ? full : Math.Max(width, blockBytes - (blockBytes % width));
        for (int start = 0; start < full; start += block)
        {
            RunGroups(inputs, outputs, ref table, groups, start, Math.Min(start + block, full));
        }

        if (full != length)
        {
            RunGroups(inputs, outputs, ref table, groups, length - width, length);
        }
    }

    private static void RunGroups(ReadOnlySpan<FragmentRef> inputs, ReadOnlySpan<FragmentRef> outputs, ref byte table, int groups, int start, int end)
    {
        int rows = outputs.Length;
        nint columnStride = (nint)rows * TKernel.TableStride;
        ref FragmentRef input = ref MemoryMarshal.GetReference(inputs);
        int row = 0;
        for (int g = 0; g < groups; g++)
        {
            // Split rows evenly (m = 14 runs as 7 + 7, not 8 + 6): equal groups finish together.
            int remaining = rows - row;
            int count = (remaining + (groups - g) - 1) / (groups - g);
            ref FragmentRef output = ref Unsafe.AsRef(in outputs[row]);
            ref byte groupTable = ref Unsafe.Add(ref table, (nint)row * TKernel.TableStride);
            switch (count)
            {
                case 1:
                    RunGroup<RowGroup1>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                case 2:
                    RunGroup<RowGroup2>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                case 3:
                    RunGroup<RowGroup3>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                case 4:
                    RunGroup<RowGroup4>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                case 5:
                    RunGroup<RowGroup5>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                case 6:
                    RunGroup<RowGroup6>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                case 7:
                    RunGroup<RowGroup7>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
                default:
                    RunGroup<RowGroup8>(ref input, inputs.Length, ref output, ref groupTable, columnStride, start, end);
                    break;
            }

            row += count;
        }
    }

    /// <summary>
    /// Rows <c>r0 .. r0 + TGroup.Count - 1</c> over columns [start, end). <paramref name="table"/> points at
    /// the entry (r0, input 0); entry (r0 + i, c) is <c>c * columnStride + i * TableStride</c> further,
    /// so the inner loop moves one reference by <paramref name="columnStride"/> per input and reaches each
    /// row's entry by a constant displacement.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunGroup<TGroup>(ref FragmentRef inputs, int inputCount, ref FragmentRef outputs, ref byte table, nint columnStride, nint start, nint end)
        where TGroup : IRowGroup
    {
        nint width = TKernel.Width;
        nint offset = start;

        // Two vectors per step where registers allow (2 x 8 accumulators): each input's address and
        // each coefficient's table entry are then fetched once per two vectors, halving the scalar work
        // (array, offset and bounds-free address per input) that competes with the SIMD ports.
        if (TKernel.TwoVectors)
        {
            for (; offset + (2 * width) <= end; offset += 2 * width)
            {
                TVector a0 = TKernel.Zero, a1 = TKernel.Zero, a2 = TKernel.Zero, a3 = TKernel.Zero;
                TVector a4 = TKernel.Zero, a5 = TKernel.Zero, a6 = TKernel.Zero, a7 = TKernel.Zero;
                TVector b0 = TKernel.Zero, b1 = TKernel.Zero, b2 = TKernel.Zero, b3 = TKernel.Zero;
                TVector b4 = TKernel.Zero, b5 = TKernel.Zero, b6 = TKernel.Zero, b7 = TKernel.Zero;
                ref FragmentRef input = ref inputs;
                ref byte t = ref table;
                int remaining = inputCount;
                for (; remaining >= 2; remaining -= 2)
                {
                    ref byte source0 = ref input.At(offset);
                    ref byte source1 = ref Unsafe.Add(ref input, 1).At(offset);
                    ref byte u = ref Unsafe.Add(ref t, columnStride);
                    Step<TGroup>(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, TKernel.Load(ref source0), TKernel.Load(ref source1), ref t, ref u);
                    Step<TGroup>(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, TKernel.Load(ref Unsafe.Add(ref source0, width)), TKernel.Load(ref Unsafe.Add(ref source1, width)), ref t, ref u);
                    t = ref Unsafe.Add(ref u, columnStride);
                    input = ref Unsafe.Add(ref input, 2);
                }

                if (remaining != 0)
                {
                    ref byte source = ref input.At(offset);
                    Step<TGroup>(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, TKernel.Load(ref source), ref t);
                    Step<TGroup>(ref b0, ref b1, ref b2, ref b3, ref b4, ref b5, ref b6, ref b7, TKernel.Load(ref Unsafe.Add(ref source, width)), ref t);
                }

                Store<TGroup>(a0, a1, a2, a3, a4, a5, a6, a7, ref outputs, offset);
                Store<TGroup>(b0, b1, b2, b3, b4, b5, b6, b7, ref outputs, offset + width);
            }
        }

        for (; offset < end; offset += width)
        {
            TVector a0 = TKernel.Zero, a1 = TKernel.Zero, a2 = TKernel.Zero, a3 = TKernel.Zero;
            TVector a4 = TKernel.Zero, a5 = TKernel.Zero, a6 = TKernel.Zero, a7 = TKernel.Zero;
            ref FragmentRef input = ref inputs;
            ref byte t = ref table;
            int remaining = inputCount;
            for (; remaining >= 2; remaining -= 2)
            {
                ref byte u = ref Unsafe.Add(ref t, columnStride);
                Step<TGroup>(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, TKernel.Load(ref input.At(offset)), TKernel.Load(ref Unsafe.Add(ref input, 1).At(offset)), ref t, ref u);
                t = ref Unsafe.Add(ref u, columnStride);
                input = ref Unsafe.Add(ref input, 2);
            }

            if (remaining != 0)
            {
                Step<TGroup>(ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7, TKernel.Load(ref input.At(offset)), ref t);
            }

            Store<TGroup>(a0, a1, a2, a3, a4, a5, a6, a7, ref outputs, offset);
        }
    }

    // The accumulators are passed by ref into always-inlined helpers; after inlining the JIT sees plain
    // locals again and keeps them in registers. Guards on TGroup.Count are constants per instantiation.

    /// <summary>Two inputs into every accumulator of the group (one VPTERNLOG each on AVX-512).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TGroup>(
        ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3, ref TVector a4, ref TVector a5, ref TVector a6, ref TVector a7, TInput x0, TInput x1, ref byte t, ref byte u)
        where TGroup : IRowGroup
    {
        int s = TKernel.TableStride;
        a0 = TKernel.MultiplyXor2(a0, x0, ref t, x1, ref u);
        if (TGroup.Count > 1)
            a1 = TKernel.MultiplyXor2(a1, x0, ref Unsafe.Add(ref t, s), x1, ref Unsafe.Add(ref u, s));
        if (TGroup.Count > 2)
            a2 = TKernel.MultiplyXor2(a2, x0, ref Unsafe.Add(ref t, 2 * s), x1, ref Unsafe.Add(ref u, 2 * s));
        if (TGroup.Count > 3)
            a3 = TKernel.MultiplyXor2(a3, x0, ref Unsafe.Add(ref t, 3 * s), x1, ref Unsafe.Add(ref u, 3 * s));
        if (TGroup.Count > 4)
            a4 = TKernel.MultiplyXor2(a4, x0, ref Unsafe.Add(ref t, 4 * s), x1, ref Unsafe.Add(ref u, 4 * s));
        if (TGroup.Count > 5)
            a5 = TKernel.MultiplyXor2(a5, x0, ref Unsafe.Add(ref t, 5 * s), x1, ref Unsafe.Add(ref u, 5 * s));
        if (TGroup.Count > 6)
            a6 = TKernel.MultiplyXor2(a6, x0, ref Unsafe.Add(ref t, 6 * s), x1, ref Unsafe.Add(ref u, 6 * s));
        if (TGroup.Count > 7)
            a7 = TKernel.MultiplyXor2(a7, x0, ref Unsafe.Add(ref t, 7 * s), x1, ref Unsafe.Add(ref u, 7 * s));
    }

    /// <summary>One input (the odd last one) into every accumulator of the group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TGroup>(
        ref TVector a0, ref TVector a1, ref TVector a2, ref TVector a3, ref TVector a4, ref TVector a5, ref TVector a6, ref TVector a7, TInput x, ref byte t)
        where TGroup : IRowGroup
    {
        int s = TKernel.TableStride;
        a0 = TKernel.MultiplyXor(a0, x, ref t);
        if (TGroup.Count > 1)
            a1 = TKernel.MultiplyXor(a1, x, ref Unsafe.Add(ref t, s));
        if (TGroup.Count > 2)
            a2 = TKernel.MultiplyXor(a2, x, ref Unsafe.Add(ref t, 2 * s));
        if (TGroup.Count > 3)
            a3 = TKernel.MultiplyXor(a3, x, ref Unsafe.Add(ref t, 3 * s));
        if (TGroup.Count > 4)
            a4 = TKernel.MultiplyXor(a4, x, ref Unsafe.Add(ref t, 4 * s));
        if (TGroup.Count > 5)
            a5 = TKernel.MultiplyXor(a5, x, ref Unsafe.Add(ref t, 5 * s));
        if (TGroup.Count > 6)
            a6 = TKernel.MultiplyXor(a6, x, ref Unsafe.Add(ref t, 6 * s));
        if (TGroup.Count > 7)
            a7 = TKernel.MultiplyXor(a7, x, ref Unsafe.Add(ref t, 7 * s));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TGroup>(TVector a0, TVector a1, TVector a2, TVector a3, TVector a4, TVector a5, TVector a6, TVector a7, ref FragmentRef outputs, nint offset)
        where TGroup : IRowGroup
    {
        TKernel.Store(a0, ref outputs.At(offset));
        if (TGroup.Count > 1)
            TKernel.Store(a1, ref Unsafe.Add(ref outputs, 1).At(offset));
        if (TGroup.Count > 2)
            TKernel.Store(a2, ref Unsafe.Add(ref outputs, 2).At(offset));
        if (TGroup.Count > 3)
            TKernel.Store(a3, ref Unsafe.Add(ref outputs, 3).At(offset));
        if (TGroup.Count > 4)
            TKernel.Store(a4, ref Unsafe.Add(ref outputs, 4).At(offset));
        if (TGroup.Count > 5)
            TKernel.Store(a5, ref Unsafe.Add(ref outputs, 5).At(offset));
        if (TGroup.Count > 6)
            TKernel.Store(a6, ref Unsafe.Add(ref outputs, 6).At(offset));
        if (TGroup.Count > 7)
            TKernel.Store(a7, ref Unsafe.Add(ref outputs, 7).At(offset));
    }
}
