using System.Diagnostics;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.Tests.Fuse;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// A real <c>ugloo mount</c> daemon on a directory, started and checked ("Mounted" on its first line). Disposing
/// kills it if it still runs and detaches a mount it left, so a failing test leaves nothing behind.
/// </summary>
internal sealed class MountProcess : IDisposable
{
    private readonly bool _ownsRoot;

    private MountProcess(Process process, string root, bool ownsRoot)
    {
        Process = process;
        Root = root;
        _ownsRoot = ownsRoot;
        Stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
    }

    public Process Process { get; }

    public string Root { get; }

    /// <summary>What the daemon wrote to standard output after its first line (completes when it exits).</summary>
    public Task<string> Stdout { get; private set; } = Task.FromResult("");

    /// <summary>Everything the daemon wrote to standard error (completes when it exits).</summary>
    public Task<string> Stderr { get; }

    /// <summary>
    /// Mounts <paramref name="dataDirectory"/>'s volume on <paramref name="root"/> (a new temp directory if null), with
    /// <paramref name="options"/> after the usual arguments.
    /// </summary>
    public static async Task<MountProcess> StartAsync(string dataDirectory, CancellationToken cancellationToken, string? root = null, string[]? options = null)
    {
        Assert.True(TestLibC.GetEuid() == 0, "mount tests need root (mount(2) of fuse needs CAP_SYS_ADMIN); run the suite as root");
        bool ownsRoot = root is null;
        root ??= Directory.CreateTempSubdirectory("ugloo-mount-process-").FullName;
        Process process = Process.Start(UglooProcess.CreateStartInfo(["mount", root, "--data", dataDirectory, .. options ?? []], null, redirectInput: false))!;
        var mount = new MountProcess(process, root, ownsRoot);
        try
        {
            string? line = await process.StandardOutput.ReadLineAsync(cancellationToken);
            Assert.True(
                line is not null && line.StartsWith("Mounted", StringComparison.Ordinal),
                $"ugloo mount printed '{line}' ({(process.HasExited ? await mount.Stderr : "still running")})");
            mount.Stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    public string PathOf(string relative) => Path.Combine(Root, relative.TrimStart('/'));

    /// <summary>Waits (at most <paramref name="timeout"/>) for the daemon to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        await Process.WaitForExitAsync(limit.Token);
        return Process.ExitCode;
    }

    /// <summary>SIGTERM, as a service manager stops it: the daemon drains its journal, unmounts and exits.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Signal.Send(Process.Id, Signal.Terminate);
        return WaitForExitAsync(timeout, cancellationToken);
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit(10_000);
        }

        if (TestMount.IsMounted(Root))
        {
            _ = TestLibC.Umount2(Root, TestLibC.MntDetach);
        }

        if (_ownsRoot)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // Still busy after a detach: left for the OS; the next run uses a new directory.
            }
        }

        Process.Dispose();
    }
}
