namespace Ugloo.Engine.Codec;

/// <summary>
/// A compile-time count of output rows computed together. The kernel loop declares eight accumulators
/// and guards each with <c>if (TGroup.Count &gt; i)</c>; the JIT specialises the loop per struct and drops
/// the dead guards, giving one register-resident variant per group size from one source loop.
/// </summary>
internal interface IRowGroup
{
    public static abstract int Count { get; }
}

internal readonly struct RowGroup1 : IRowGroup
{
    public static int Count => 1;
}

internal readonly struct RowGroup2 : IRowGroup
{
    public static int Count => 2;
}

internal readonly struct RowGroup3 : IRowGroup
{
    public static int Count => 3;
}

internal readonly struct RowGroup4 : IRowGroup
{
    public static int Count => 4;
}

internal readonly struct RowGroup5 : IRowGroup
{
    public static int Count => 5;
}

internal readonly struct RowGroup6 : IRowGroup
{
    public static int Count => 6;
}

internal readonly struct RowGroup7 : IRowGroup
{
    public static int Count => 7;
}

internal readonly struct RowGroup8 : IRowGroup
{
    public static int Count => 8;
}
