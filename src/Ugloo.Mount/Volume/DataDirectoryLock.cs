using System.Globalization;

namespace Ugloo.Mount.Volume;

/// <summary>
/// One holder of a role per data directory: <c>DATA/NAME.lock</c> is held open exclusively for the life of
/// the holder (.NET takes an flock on Unix for <see cref="FileShare.None"/>, released when the process dies,
/// however it dies), and <c>DATA/NAME.pid</c> tells a second one and <c>ugloo status</c> who holds it. The
/// pid is in a file of its own because a locked file cannot be read by others. The roles: <see cref="Up"/>
/// (one <c>ugloo up</c>) and <see cref="Mount"/> (one mounted volume, whose write-back journal and staged
/// copies belong to it alone).
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    public const string Up = "up";
    public const string Mount = "mount";

    private readonly FileStream _lock;
    private readonly string _pidPath;

    private DataDirectoryLock(FileStream lockFile, string pidPath)
    {
        _lock = lockFile;
        _pidPath = pidPath;
    }

    /// <summary>The pid file of <paramref name="role"/>'s holder.</summary>
    public static string PidFile(string dataDirectory, string role) => Path.Combine(dataDirectory, role + ".pid");

    /// <summary>Takes <paramref name="role"/> for this process.</summary>
    /// <exception cref="VolumeException">Another live process holds it; <paramref name="refusal"/> words the message (given the holder's " (pid N)" or "").</exception>
    public static DataDirectoryLock Acquire(string dataDirectory, string role, Func<string, string> refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        string pidPath = PidFile(dataDirectory, role);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(dataDirectory, role + ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder = ReadLivePid(pidPath, "ugloo") is int pid ? $" (pid {pid})" : "";
            throw new VolumeException(refusal(holder));
        }

        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new DataDirectoryLock(lockFile, pidPath);
    }

    /// <summary>The pid in <paramref name="pidFile"/> if that process is alive and its command line mentions <paramref name="program"/>.</summary>
    public static int? ReadLivePid(string pidFile, string program)
    {
        try
        {
            using var stream = new FileStream(pidFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            if (!int.TryParse(reader.ReadToEnd().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
            {
                return null;
            }

            // A pid is reused after its process ends; the command line tells ours from a stranger.
            string cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains(program, StringComparison.Ordinal) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_pidPath);
        }
        catch (IOException)
        {
            // Leaving the file is harmless: the lock, not the file, is what counts.
        }

        _lock.Dispose();
    }
}
