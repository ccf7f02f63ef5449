namespace Ugloo.Engine.Codec;

/// <summary>
/// A coefficient matrix ready to run: <c>outputs[r] = XOR over c of coefficients[r, c] * inputs[c]</c>.
/// Encoding runs the parity rows of the encoding matrix; decoding runs rows of an inverted submatrix.
/// Plans are immutable and shared between threads.
/// </summary>
internal sealed class CodingPlan
{
    public CodingPlan(byte[] coefficients, int rows, int columns)
    {
        if (coefficients.Length != rows * columns)
        {
            throw new ArgumentException("Coefficient count does not match the matrix shape.", nameof(coefficients));
        }

        Coefficients = coefficients;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Row-major, <see cref="Rows"/> x <see cref="Columns"/>.</summary>
    public byte[] Coefficients { get; }

    public int Rows { get; }

    public int Columns { get; }

    public void Execute(ReadOnlySpan<ReadOnlyMemory<byte>> inputs, ReadOnlySpan<Memory<byte>> outputs, int length, CodecPath path)
    {
        switch (path)
        {
            default:
                ScalarKernel.Execute(this, inputs, outputs, length);
                break;
        }
    }
}
