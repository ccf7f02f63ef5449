namespace Ugloo.Engine.Codec;

/// <summary>
/// What a decode plan depends on: the k fragments used and the fragments wanted, both as sets. The
/// plan's rows and columns run in ascending index order and callers' orders are mapped onto it at
/// execution, so the key needs no order and compares as eight words without allocating.
/// </summary>
internal readonly record struct DecodeKey(FragmentMask Available, FragmentMask Wanted);
