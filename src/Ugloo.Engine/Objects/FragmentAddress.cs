namespace Ugloo.Engine.Objects;

/// <summary>
/// Where a fragment sits within its object: segment <see cref="SegmentIndex"/>, fragment
/// <see cref="FragmentIndex"/> (0..k-1 data, k..n-1 parity). Together with the object id this is the
/// input placement needs; the fragment's content address is its <see cref="FragmentId"/>.
/// </summary>
public readonly record struct FragmentAddress(int SegmentIndex, int FragmentIndex)
{
    public override string ToString() => $"segment {SegmentIndex} fragment {FragmentIndex}";
}
