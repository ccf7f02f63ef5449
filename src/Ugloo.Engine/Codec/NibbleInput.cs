namespace Ugloo.Engine.Codec;

/// <summary>
/// An input vector split for the shuffle kernels: every byte's low nibble, and its high nibble shifted
/// down, each in 0..15 so they index 16-entry tables. Split once per input, reused for every output row.
/// </summary>
internal readonly struct NibbleInput<TVector>
    where TVector : struct
{
    public NibbleInput(TVector low, TVector high)
    {
        Low = low;
        High = high;
    }

    public TVector Low { get; }

    public TVector High { get; }
}
