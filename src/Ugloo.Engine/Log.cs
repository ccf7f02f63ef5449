namespace Ugloo.Engine;

/// <summary>
/// Source-generated log messages of the Engine. Each subsystem keeps its messages in its own
/// <c>Log.&lt;Subsystem&gt;.cs</c> part, with event ids in its own band:
/// 1000 codec, 2000 crypto and objects, 3000 protocol, 4000 store, 5000 placement and membership,
/// 6000 repair, 7000 catalog.
/// </summary>
internal static partial class Log
{
}
