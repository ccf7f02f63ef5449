using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ugloo.Engine.Codec;

namespace Ugloo.Engine.Tests.Codec;

public sealed class GfTablesTests
{
    [Fact]
    public void Affine_matrices_multiply_every_byte_under_the_documented_bit_order()
    {
        for (int c = 0; c < 256; c++)
        {
            ulong matrix = GfTables.AffineMatrix((byte)c);
            for (int x = 0; x < 256; x++)
            {
                Assert.Equal(GaloisField.Multiply((byte)c, (byte)x), AffineModel(matrix, (byte)x));
            }
        }
    }

    [Fact]
    public void Affine_matrix_of_one_is_the_gfni_identity()
    {
        Assert.Equal(0x0102040810204080UL, GfTables.AffineMatrix(1));
    }

    [Fact]
    public void Gfni_hardware_agrees_with_the_field_when_present()
    {
        if (!Gfni.IsSupported)
        {
            Assert.Skip("No GFNI on this machine or it is switched off.");
        }

        for (int c = 0; c < 256; c++)
        {
            Vector128<byte> matrix = Vector128.Create(GfTables.AffineMatrix((byte)c)).AsByte();
            for (int x = 0; x < 256; x += 16)
            {
                Vector128<byte> input = Vector128.Create((byte)x) + Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
                Vector128<byte> product = Gfni.GaloisFieldAffineTransform(input, matrix, 0);
                for (int i = 0; i < 16; i++)
                {
                    Assert.Equal(GaloisField.Multiply((byte)c, (byte)(x + i)), product[i]);
                }
            }
        }
    }

    [Fact]
    public void Nibble_tables_split_every_product_and_repeat_per_lane()
    {
        byte[] table = new byte[GfTables.NibbleStride];
        for (int c = 0; c < 256; c++)
        {
            GfTables.NibbleTable((byte)c, table);
            for (int x = 0; x < 256; x++)
            {
                for (int lane = 0; lane < 4; lane++)
                {
                    byte low = table[(16 * lane) + (x & 15)];
                    byte high = table[GfTables.NibbleHalf + (16 * lane) + (x >> 4)];
                    Assert.Equal(GaloisField.Multiply((byte)c, (byte)x), (byte)(low ^ high));
                }
            }
        }
    }

    /// <summary>GF2P8AFFINEQB as the Intel SDM defines it: result bit b = parity(matrix byte (7 - b) AND x).</summary>
    private static byte AffineModel(ulong matrix, byte x)
    {
        int result = 0;
        for (int b = 0; b < 8; b++)
        {
            byte row = (byte)(matrix >> (8 * (7 - b)));
            result |= (System.Numerics.BitOperations.PopCount((uint)(row & x)) & 1) << b;
        }

        return (byte)result;
    }
}
