using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ugloo.Engine.Codec;

/// <summary>
/// A coefficient matrix ready to run: <c>outputs[r] = XOR over c of coefficients[r, c] * inputs[c]</c>.
/// Encoding runs the parity rows of the encoding matrix; decoding runs rows of an inverted submatrix.
/// Plans are immutable and shared between threads; each path family's table (GFNI affine matrices or
/// split-nibble tables) is derived on first use and then reused by every call.
/// </summary>
internal sealed class CodingPlan
{
    // Inputs of one column block should stay in cache while every output group re-reads them (codes
    // whose rows fit one register group stream once and are not blocked). Measured here with k = 20..200
    // and 64 KiB..1 MiB fragments: budgets of 64..256 KiB of inputs per block (blocks of 1..6 KiB) were
    // within noise of each other and 10-25% faster than 0.5..1 MiB; 128 KiB sits in the middle.
    private const int BlockBudgetBytes = 128 * 1024;

    private ulong[]? _affine;
    private byte[]? _nibbles;

    public CodingPlan(byte[] coefficients, int rows, int columns)
    {
        if (coefficients.Length != rows * columns)
        {
            throw new ArgumentException("Coefficient count does not match the matrix shape.", nameof(coefficients));
        }

        Coefficients = coefficients;
        Rows = rows;
        Columns = columns;
        BlockBytes = Math.Clamp(BlockBudgetBytes / Math.Max(columns, 1), 1024, 64 * 1024) & ~255;
    }

    /// <summary>Row-major, <see cref="Rows"/> x <see cref="Columns"/>.</summary>
    public byte[] Coefficients { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Column block for codes whose output rows need several register groups.</summary>
    public int BlockBytes { get; }

    public void Execute(ReadOnlySpan<ReadOnlyMemory<byte>> inputs, ReadOnlySpan<Memory<byte>> outputs, int length, CodecPath path) =>
        Execute(inputs, default, outputs, default, length, path);

    /// <summary>
    /// Runs the plan over the first <c>length</c> bytes of every buffer. Plan input c is
    /// <c>inputs[inputOrder[c]]</c> and plan output r is <c>outputs[outputOrder[r]]</c>; an empty order
    /// is the identity. Outputs must not overlap inputs or each other.
    /// </summary>
    public void Execute(
        ReadOnlySpan<ReadOnlyMemory<byte>> inputs,
        ReadOnlySpan<int> inputOrder,
        ReadOnlySpan<Memory<byte>> outputs,
        ReadOnlySpan<int> outputOrder,
        int length,
        CodecPath path)
    {
        if ((inputOrder.IsEmpty ? inputs.Length : inputOrder.Length) != Columns)
        {
            throw new ArgumentException($"The plan takes {Columns} inputs.", nameof(inputs));
        }

        if ((outputOrder.IsEmpty ? outputs.Length : outputOrder.Length) != Rows)
        {
            throw new ArgumentException($"The plan produces {Rows} outputs.", nameof(outputs));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0 || Rows == 0)
        {
            return;
        }

        // The kernels index by (array, offset) without bounds checks; Bind checks every length first.
        FragmentRef[] refs = ArrayPool<FragmentRef>.Shared.Rent(Columns + Rows);
        int bound = 0;
        try
        {
            for (int c = 0; c < Columns; c++)
            {
                refs[bound++] = Bind(inputs[inputOrder.IsEmpty ? c : inputOrder[c]], length, copyIn: true);
            }

            for (int r = 0; r < Rows; r++)
            {
                refs[bound++] = Bind(outputs[outputOrder.IsEmpty ? r : outputOrder[r]], length, copyIn: false);
            }

            Run(refs.AsSpan(0, Columns), refs.AsSpan(Columns, Rows), length, path);

            for (int r = 0; r < Rows; r++)
            {
                FragmentRef output = refs[Columns + r];
                if (output.Rented)
                {
                    output.Slice(0, length).CopyTo(outputs[outputOrder.IsEmpty ? r : outputOrder[r]].Span);
                }
            }
        }
        finally
        {
            for (int i = 0; i < bound; i++)
            {
                if (refs[i].Rented)
                {
                    ArrayPool<byte>.Shared.Return(refs[i].Array);
                }
            }

            // Do not keep callers' buffers alive from the pool.
            refs.AsSpan(0, bound).Clear();
            ArrayPool<FragmentRef>.Shared.Return(refs);
        }
    }

    private void Run(ReadOnlySpan<FragmentRef> inputs, ReadOnlySpan<FragmentRef> outputs, int length, CodecPath path)
    {
        switch (path)
        {
            case CodecPath.Gfni512 or CodecPath.Gfni256:
                RunAffine(inputs, outputs, length, path);
                break;
            case CodecPath.Avx512 or CodecPath.Avx2 or CodecPath.Vector128:
                RunNibble(inputs, outputs, length, path);
                break;
            default:
                ScalarKernel.Execute(Coefficients, inputs, outputs, 0, length);
                break;
        }
    }

    // Each path runs at its own width while the fragment is at least one vector long (its last vector
    // overlaps, see KernelLoop); shorter fragments drop to the next narrower width of the same table.
    private void RunAffine(ReadOnlySpan<FragmentRef> inputs, ReadOnlySpan<FragmentRef> outputs, int length, CodecPath path)
    {
        _affine ??= GfTables.AffineMatrices(Coefficients, Rows, Columns);
        ref byte table = ref Unsafe.As<ulong, byte>(ref MemoryMarshal.GetArrayDataReference(_affine));
        if (path == CodecPath.Gfni512 && length >= 64)
        {
            KernelLoop<Gfni512Kernel, Vector512<byte>, Vector512<byte>>.Execute(inputs, outputs, ref table, length, BlockBytes);
        }
        else if (length >= 32)
        {
            KernelLoop<Gfni256Kernel, Vector256<byte>, Vector256<byte>>.Execute(inputs, outputs, ref table, length, BlockBytes);
        }
        else if (length >= 16)
        {
            KernelLoop<Gfni128Kernel, Vector128<byte>, Vector128<byte>>.Execute(inputs, outputs, ref table, length, BlockBytes);
        }
        else
        {
            ScalarKernel.Execute(Coefficients, inputs, outputs, 0, length);
        }
    }

    private void RunNibble(ReadOnlySpan<FragmentRef> inputs, ReadOnlySpan<FragmentRef> outputs, int length, CodecPath path)
    {
        _nibbles ??= GfTables.NibbleTables(Coefficients, Rows, Columns);
        ref byte table = ref MemoryMarshal.GetArrayDataReference(_nibbles);
        if (path == CodecPath.Avx512 && length >= 64)
        {
            KernelLoop<Avx512Kernel, Vector512<byte>, NibbleInput<Vector512<byte>>>.Execute(inputs, outputs, ref table, length, BlockBytes);
        }
        else if (path >= CodecPath.Avx2 && length >= 32)
        {
            KernelLoop<Avx2Kernel, Vector256<byte>, NibbleInput<Vector256<byte>>>.Execute(inputs, outputs, ref table, length, BlockBytes);
        }
        else if (length >= 16)
        {
            KernelLoop<Vector128Kernel, Vector128<byte>, NibbleInput<Vector128<byte>>>.Execute(inputs, outputs, ref table, length, BlockBytes);
        }
        else
        {
            ScalarKernel.Execute(Coefficients, inputs, outputs, 0, length);
        }
    }

    private static FragmentRef Bind(ReadOnlyMemory<byte> memory, int length, bool copyIn)
    {
        if (memory.Length < length)
        {
            throw new ArgumentException($"A fragment holds {memory.Length} bytes; the plan runs over {length}.");
        }

        if (MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment) && segment.Array is not null)
        {
            return new FragmentRef(segment.Array, segment.Offset, rented: false);
        }

        // Native or custom MemoryManager memory: run on a pooled copy (rare; arrays are the norm).
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        if (copyIn)
        {
            memory.Span[..length].CopyTo(copy);
        }

        return new FragmentRef(copy, 0, rented: true);
    }
}
