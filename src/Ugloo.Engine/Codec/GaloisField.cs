namespace Ugloo.Engine.Codec;

/// <summary>
/// Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2, the
/// field ISA-L, Backblaze and most storage codes use, so test vectors can be compared with them.
/// Addition is XOR; multiplication goes through log/exp tables. These tables are the scalar oracle's
/// ground truth; the SIMD paths derive their nibble tables and affine matrices from <see cref="Multiply"/>.
/// </summary>
internal static class GaloisField
{
    public const int Polynomial = 0x11D;

    // Exp is doubled (510 entries) so Log[a] + Log[b] indexes it without a modulo.
    private static readonly byte[] s_exp = BuildExp();
    private static readonly byte[] s_log = BuildLog(s_exp);
    private static readonly byte[] s_mul = BuildMulTable();

    /// <summary>The full 256 x 256 product table, row <c>a</c> at offset <c>a * 256</c>.</summary>
    public static ReadOnlySpan<byte> MultiplicationTable => s_mul;

    public static byte Multiply(byte a, byte b)
    {
        if (a == 0 || b == 0)
        {
            return 0;
        }

        return s_exp[s_log[a] + s_log[b]];
    }

    public static byte Inverse(byte a)
    {
        if (a == 0)
        {
            throw new DivideByZeroException("Zero has no inverse in GF(2^8).");
        }

        return s_exp[255 - s_log[a]];
    }

    public static byte Divide(byte a, byte b) => Multiply(a, Inverse(b));

    public static byte Power(byte a, int exponent)
    {
        if (exponent == 0)
        {
            return 1;
        }

        if (a == 0)
        {
            return 0;
        }

        return s_exp[s_log[a] * exponent % 255];
    }

    /// <summary>The 256-byte row of products <c>c * x</c> for every x.</summary>
    public static ReadOnlySpan<byte> MultiplyRow(byte c) => new(s_mul, c * 256, 256);

    private static byte[] BuildExp()
    {
        byte[] exp = new byte[510];
        int x = 1;
        for (int i = 0; i < 255; i++)
        {
            exp[i] = (byte)x;
            exp[i + 255] = (byte)x;
            x <<= 1;
            if ((x & 0x100) != 0)
            {
                x ^= Polynomial;
            }
        }

        return exp;
    }

    private static byte[] BuildLog(byte[] exp)
    {
        byte[] log = new byte[256];
        for (int i = 0; i < 255; i++)
        {
            log[exp[i]] = (byte)i;
        }

        return log;
    }

    private static byte[] BuildMulTable()
    {
        byte[] table = new byte[256 * 256];
        for (int a = 0; a < 256; a++)
        {
            for (int b = 0; b < 256; b++)
            {
                table[(a * 256) + b] = Multiply((byte)a, (byte)b);
            }
        }

        return table;
    }
}
