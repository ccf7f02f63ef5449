using Ugloo.Engine.Storage;
using Ugloo.Node.Hosting;

namespace Ugloo.Node.Status;

/// <summary>The figures a node answers ugloo_status with (names documented in docs/PROTOCOL.md).</summary>
internal static class NodeStatusReport
{
    public static Dictionary<string, long> Build(NodeRuntime runtime)
    {
        FragmentStoreStatistics store = runtime.Store.GetStatistics();
        var figures = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["fragments"] = store.FragmentCount,
            ["bytes"] = store.UsedBytes,
            ["free"] = store.FreeBytes,
            ["capacity"] = runtime.CapacityBytes,
            ["quarantined"] = store.QuarantinedCount,
            ["draining"] = runtime.IsDraining ? 1 : 0,
        };
        figures["segments"] = runtime.Segments.Count;
        runtime.Scrub.Report(figures);
        runtime.Repair.Report(figures);
        return figures;
    }
}
