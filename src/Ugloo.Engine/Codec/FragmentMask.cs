namespace Ugloo.Engine.Codec;

/// <summary>A set of fragment indices 0..255 as four 64-bit words: bit <c>i % 64</c> of word <c>i / 64</c>.</summary>
internal readonly record struct FragmentMask(ulong Word0, ulong Word1, ulong Word2, ulong Word3)
{
    public static FragmentMask From(ReadOnlySpan<ulong> words) => new(words[0], words[1], words[2], words[3]);

    /// <summary>Writes the members in ascending order; returns how many there are.</summary>
    public int CopyAscending(Span<int> destination)
    {
        int count = 0;
        count = Append(Word0, 0, destination, count);
        count = Append(Word1, 64, destination, count);
        count = Append(Word2, 128, destination, count);
        return Append(Word3, 192, destination, count);
    }

    private static int Append(ulong word, int baseIndex, Span<int> destination, int count)
    {
        while (word != 0)
        {
            destination[count++] = baseIndex + System.Numerics.BitOperations.TrailingZeroCount(word);
            word &= word - 1;
        }

        return count;
    }
}
