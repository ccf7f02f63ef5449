namespace Ugloo.Engine.Codec;

/// <summary>
/// Per-coefficient tables the SIMD kernels need, derived from <see cref="GaloisField.Multiply"/> so they
/// follow whatever field polynomial the scalar oracle uses.
/// </summary>
internal static class GfTables
{
    /// <summary>Bytes per coefficient in a nibble table: the low-nibble half, then the high-nibble half.</summary>
    public const int NibbleStride = 2 * NibbleHalf;

    /// <summary>One 16-entry table repeated in four 128-bit lanes (see <see cref="NibbleTable"/>).</summary>
    public const int NibbleHalf = 64;

    /// <summary>
    /// The 8x8 bit matrix that makes <c>GF2P8AFFINEQB</c> multiply every byte by <paramref name="c"/>.
    /// <para>
    /// Intel SDM, GF2P8AFFINEQB: for each byte x of a 64-bit lane and each result bit b (0 = least
    /// significant), <c>result.bit[b] = parity(A.byte[7 - b] AND x) XOR imm8.bit[b]</c>, where A is the
    /// matrix qword of the same 64-bit lane. So byte <c>7 - b</c> of the qword (byte 0 = least
    /// significant, as <see cref="ulong"/> stores it little-endian) is the row for result bit b, and its
    /// bit j says whether input bit j contributes to result bit b.
    /// </para>
    /// <para>
    /// Multiplication by c is GF(2)-linear: <c>c * x = XOR over set bits j of x of c * 2^j</c>. So input
    /// bit j contributes to result bit b exactly when bit b of <c>c * 2^j</c> is set. For c = 1 this gives
    /// the identity 0x0102040810204080: byte 7 (result bit 0) = 0x01, ..., byte 0 (result bit 7) = 0x80.
    /// The same qword broadcast to every 64-bit lane multiplies all 8/32/64 bytes of a vector.
    /// </para>
    /// </summary>
    public static ulong AffineMatrix(byte c)
    {
        ulong matrix = 0;
        for (int b = 0; b < 8; b++)
        {
            ulong row = 0;
            for (int j = 0; j < 8; j++)
            {
                if (((GaloisField.Multiply(c, (byte)(1 << j)) >> b) & 1) != 0)
                {
                    row |= 1UL << j;
                }
            }

            matrix |= row << (8 * (7 - b));
        }

        return matrix;
    }

    /// <summary>
    /// Split-nibble tables: <c>c * x = c * (x &amp; 0x0F) XOR c * (x &amp; 0xF0)</c> by linearity, so two
    /// 16-entry lookups (PSHUFB / VPSHUFB / TBL, each indexing by a 4-bit value) replace one 256-entry
    /// lookup. Byte <c>16 * lane + i</c> holds <c>c * i</c> and byte <c>64 + 16 * lane + i</c> holds
    /// <c>c * (i &lt;&lt; 4)</c>, for i = 0..15 and lane = 0..3. PSHUFB-family instructions look up within
    /// each 128-bit lane, so every lane needs its own copy; storing the copies lets each width load its
    /// table with one plain load (16, 32 or 64 bytes from the start of a half) instead of a broadcast,
    /// which .NET offers only through pointers and otherwise expands into several shuffle uops.
    /// </summary>
    public static void NibbleTable(byte c, Span<byte> destination)
    {
        for (int i = 0; i < 16; i++)
        {
            byte low = GaloisField.Multiply(c, (byte)i);
            byte high = GaloisField.Multiply(c, (byte)(i << 4));
            for (int lane = 0; lane < 4; lane++)
            {
                destination[(16 * lane) + i] = low;
                destination[NibbleHalf + (16 * lane) + i] = high;
            }
        }
    }

    /// <summary>
    /// Affine matrices of a rows x columns coefficient matrix, stored column-major: the entry for
    /// (r, c) is at <c>c * rows + r</c>. A kernel working on output rows r0..r0+G-1 then finds the G
    /// matrices for input c next to each other (constant displacements from one moving reference),
    /// whatever grouping it uses.
    /// </summary>
    public static ulong[] AffineMatrices(ReadOnlySpan<byte> coefficients, int rows, int columns)
    {
        ulong[] table = new ulong[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                table[(c * rows) + r] = AffineMatrix(coefficients[(r * columns) + c]);
            }
        }

        return table;
    }

    /// <summary>Nibble tables in the same column-major order, <see cref="NibbleStride"/> bytes each.</summary>
    public static byte[] NibbleTables(ReadOnlySpan<byte> coefficients, int rows, int columns)
    {
        byte[] table = new byte[rows * columns * NibbleStride];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                NibbleTable(coefficients[(r * columns) + c], table.AsSpan(((c * rows) + r) * NibbleStride, NibbleStride));
            }
        }

        return table;
    }
}
