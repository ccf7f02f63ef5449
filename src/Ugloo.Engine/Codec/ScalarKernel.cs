namespace Ugloo.Engine.Codec;

/// <summary>
/// The oracle: byte-at-a-time lookups in the 64 KiB product table. Slow, obviously correct, the
/// reference every SIMD path is tested against, and the finisher for fragments shorter than 16 bytes.
/// </summary>
internal static class ScalarKernel
{
    /// <summary>Computes bytes [start, start + length) of every output row; coefficients are row-major, outputs x inputs.</summary>
    public static void Execute(ReadOnlySpan<byte> coefficients, ReadOnlySpan<FragmentRef> inputs, ReadOnlySpan<FragmentRef> outputs, int start, int length)
    {
        ReadOnlySpan<byte> table = GaloisField.MultiplicationTable;
        int columns = inputs.Length;
        for (int r = 0; r < outputs.Length; r++)
        {
            Span<byte> output = outputs[r].Slice(start, length);
            output.Clear();
            for (int c = 0; c < columns; c++)
            {
                byte coefficient = coefficients[(r * columns) + c];
                if (coefficient == 0)
                {
                    continue;
                }

                ReadOnlySpan<byte> row = table.Slice(coefficient * 256, 256);
                ReadOnlySpan<byte> input = inputs[c].Slice(start, length);
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] ^= row[input[i]];
                }
            }
        }
    }
}
