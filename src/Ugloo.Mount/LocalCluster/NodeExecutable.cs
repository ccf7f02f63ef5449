using System.Diagnostics;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// Finds <c>ugloo-node</c>: Ugloo.Mount references the node project, so the build puts
/// <c>ugloo-node.dll</c> (and on most platforms the <c>ugloo-node</c> apphost) next to <c>ugloo.dll</c>.
/// The dll runs on the same <c>dotnet</c> host as this process, which works wherever this one does; the
/// apphost is the fallback for a self-contained layout without the dll.
/// </summary>
internal static class NodeExecutable
{
    public static ProcessStartInfo CreateStartInfo(IEnumerable<string> arguments)
    {
        string directory = AppContext.BaseDirectory;
        string dll = Path.Combine(directory, "ugloo-node.dll");
        string apphost = Path.Combine(directory, OperatingSystem.IsWindows() ? "ugloo-node.exe" : "ugloo-node");
        ProcessStartInfo start;
        string runtimeConfig = Path.Combine(directory, "ugloo.runtimeconfig.json");
        string deps = Path.Combine(directory, "ugloo.deps.json");
        if (File.Exists(dll) && File.Exists(runtimeConfig) && File.Exists(deps))
        {
            // ugloo runs on the ASP.NET Core shared framework (the S3 gateway), so the build drops the
            // Microsoft.Extensions.* package copies that ugloo-node's own deps.json expects beside it: run the
            // node with ugloo's runtime config and dependency list, which carry everything it needs.
            start = new ProcessStartInfo(DotnetHost());
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(runtimeConfig);
            start.ArgumentList.Add("--depsfile");
            start.ArgumentList.Add(deps);
            start.ArgumentList.Add(dll);

            // The node's own runtime config turns thread-pool spinning off (Ugloo.Node.csproj: ~6% less node CPU
            // per stored GiB); ugloo's runtime config does not carry it, so it goes in as the runtime's variable.
            start.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";

            // Likewise its tiered compilation off: a long-running service, fully optimized from the first call
            // (docs/BENCHMARKS.md "Session 4": the first 512 MiB written after `ugloo up` went from 137-167 to
            // 185-197 MB/s, for about a second more at start).
            start.Environment["DOTNET_TieredCompilation"] = "0";
        }
        else if (File.Exists(dll))
        {
            start = new ProcessStartInfo(DotnetHost());
            start.ArgumentList.Add(dll);
        }
        else if (File.Exists(apphost))
        {
            start = new ProcessStartInfo(apphost);
        }
        else
        {
            throw new FileNotFoundException($"ugloo-node is not next to ugloo in {directory}; build src/Ugloo.Mount (it builds the node too).");
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = directory;
        return start;
    }

    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root))
        {
            string host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(host))
            {
                return host;
            }
        }

        return "dotnet";
    }
}
