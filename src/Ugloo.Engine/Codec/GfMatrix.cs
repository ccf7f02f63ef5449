namespace Ugloo.Engine.Codec;

/// <summary>Dense row-major matrices over GF(2^8): the encoding matrix and its inverses.</summary>
internal static class GfMatrix
{
    /// <summary>
    /// The systematic encoding matrix <c>[I_k ; C]</c> with n rows and k columns, where C is the Cauchy
    /// matrix <c>C[i][j] = 1 / ((k + i) XOR j)</c> (ISA-L's <c>gf_gen_cauchy1_matrix</c>). Every square
    /// submatrix of a Cauchy matrix is invertible, so any k rows of <c>[I ; C]</c> are independent: the
    /// code is MDS for every n &lt;= 256, which covers our n &lt;= 255.
    /// </summary>
    public static byte[] Encoding(int k, int m)
    {
        int n = k + m;
        byte[] matrix = new byte[n * k];
        for (int i = 0; i < k; i++)
        {
            matrix[(i * k) + i] = 1;
        }

        for (int i = k; i < n; i++)
        {
            for (int j = 0; j < k; j++)
            {
                matrix[(i * k) + j] = GaloisField.Inverse((byte)(i ^ j));
            }
        }

        return matrix;
    }

    /// <summary>Inverts a size x size matrix by Gauss-Jordan elimination.</summary>
    /// <exception cref="InvalidOperationException">The matrix is singular (cannot happen for MDS rows).</exception>
    public static byte[] Invert(ReadOnlySpan<byte> matrix, int size)
    {
        byte[] work = matrix[..(size * size)].ToArray();
        byte[] inverse = new byte[size * size];
        for (int i = 0; i < size; i++)
        {
            inverse[(i * size) + i] = 1;
        }

        for (int col = 0; col < size; col++)
        {
            int pivot = col;
            while (pivot < size && work[(pivot * size) + col] == 0)
            {
                pivot++;
            }

            if (pivot == size)
            {
                throw new InvalidOperationException("Singular matrix over GF(2^8).");
            }

            if (pivot != col)
            {
                SwapRows(work, size, pivot, col);
                SwapRows(inverse, size, pivot, col);
            }

            byte scale = GaloisField.Inverse(work[(col * size) + col]);
            ScaleRow(work, size, col, scale);
            ScaleRow(inverse, size, col, scale);

            for (int row = 0; row < size; row++)
            {
                byte factor = work[(row * size) + col];
                if (row == col || factor == 0)
                {
                    continue;
                }

                AddScaledRow(work, size, row, col, factor);
                AddScaledRow(inverse, size, row, col, factor);
            }
        }

        return inverse;
    }

    /// <summary>Multiplies a (rows x inner) matrix by an (inner x cols) matrix.</summary>
    public static byte[] Multiply(ReadOnlySpan<byte> left, int rows, int inner, ReadOnlySpan<byte> right, int cols)
    {
        byte[] product = new byte[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                byte sum = 0;
                for (int i = 0; i < inner; i++)
                {
                    sum ^= GaloisField.Multiply(left[(r * inner) + i], right[(i * cols) + c]);
                }

                product[(r * cols) + c] = sum;
            }
        }

        return product;
    }

    private static void SwapRows(byte[] m, int size, int a, int b)
    {
        Span<byte> rowA = m.AsSpan(a * size, size);
        Span<byte> rowB = m.AsSpan(b * size, size);
        Span<byte> tmp = stackalloc byte[size];
        rowA.CopyTo(tmp);
        rowB.CopyTo(rowA);
        tmp.CopyTo(rowB);
    }

    private static void ScaleRow(byte[] m, int size, int row, byte scale)
    {
        for (int i = 0; i < size; i++)
        {
            m[(row * size) + i] = GaloisField.Multiply(m[(row * size) + i], scale);
        }
    }

    private static void AddScaledRow(byte[] m, int size, int target, int source, byte factor)
    {
        for (int i = 0; i < size; i++)
        {
            m[(target * size) + i] ^= GaloisField.Multiply(m[(source * size) + i], factor);
        }
    }
}
