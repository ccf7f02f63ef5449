using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// Asks a process to stop. .NET can only SIGKILL (<see cref="Process.Kill()"/>); a node must get SIGTERM
/// so that its host shuts down cleanly (closes peers, finishes in-flight fsyncs), so this calls kill(2).
/// </summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    /// <summary>Sends SIGTERM (on Windows, which has none, the process is killed). False when it is already gone.</summary>
    public static bool Terminate(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return false;
            }

            if (OperatingSystem.IsWindows())
            {
                process.Kill();
                return true;
            }

            return NativeMethods.Kill(process.Id, SigTerm) == 0;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static class NativeMethods
    {
        // int kill(pid_t pid, int sig): both blittable, so no marshalling code (and no unsafe block) is needed.
        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Kill(int pid, int signal);
    }
}
