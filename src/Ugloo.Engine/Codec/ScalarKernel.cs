namespace Ugloo.Engine.Codec;

/// <summary>
/// The oracle: byte-at-a-time table lookups. Slow, obviously correct, and the reference every SIMD
/// path is compared with in the tests.
/// </summary>
internal static class ScalarKernel
{
    public static void Execute(CodingPlan plan, ReadOnlySpan<ReadOnlyMemory<byte>> inputs, ReadOnlySpan<Memory<byte>> outputs, int length)
    {
        ReadOnlySpan<byte> coefficients = plan.Coefficients;
        ReadOnlySpan<byte> table = GaloisField.MultiplicationTable;
        for (int r = 0; r < plan.Rows; r++)
        {
            Span<byte> output = outputs[r].Span[..length];
            output.Clear();
            for (int c = 0; c < plan.Columns; c++)
            {
                byte coefficient = coefficients[(r * plan.Columns) + c];
                if (coefficient == 0)
                {
                    continue;
                }

                ReadOnlySpan<byte> row = table.Slice(coefficient * 256, 256);
                ReadOnlySpan<byte> input = inputs[c].Span[..length];
                for (int i = 0; i < output.Length; i++)
                {
                    output[i] ^= row[input[i]];
                }
            }
        }
    }
}
