using System.Globalization;

namespace Ugloo.Mount.LocalCluster;

/// <summary>
/// One <c>ugloo up</c> per data directory: <c>DATA/up.lock</c> is held open exclusively for the life of the
/// run (.NET takes an flock on Unix for <see cref="FileShare.None"/>, released when the process dies, however
/// it dies), and <c>DATA/up.pid</c> tells a second run and <c>ugloo status</c> who holds it. The pid is in a
/// file of its own because a locked file cannot be read by others.
/// </summary>
internal sealed class UpLock : IDisposable
{
    public const string LockFileName = "up.lock";
    public const string PidFileName = "up.pid";

    private readonly FileStream _lock;
    private readonly string _pidPath;

    private UpLock(FileStream lockFile, string pidPath)
    {
        _lock = lockFile;
        _pidPath = pidPath;
    }

    public static UpLock Acquire(string dataDirectory)
    {
        string pidPath = Path.Combine(dataDirectory, PidFileName);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(dataDirectory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder = ReadLivePid(pidPath, "ugloo") is int pid ? $" (pid {pid})" : "";
            throw new Volume.VolumeException($"'ugloo up' is already running for {dataDirectory}{holder}.");
        }

        File.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return new UpLock(lockFile, pidPath);
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
