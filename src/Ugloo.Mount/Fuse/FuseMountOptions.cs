using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ugloo.Mount.Fuse;

/// <summary>How <see cref="FuseMount"/> mounts and serves a filesystem.</summary>
internal sealed class FuseMountOptions
{
    /// <summary>
    /// Threads blocked in read(2) on /dev/fuse. Default 4. Requests that complete synchronously are served
    /// on these threads; ones that go asynchronous free the thread, so this bounds only read-side parallelism.
    /// At least 2, so an INTERRUPT can be read while another request is being handled.
    /// </summary>
    public int ReaderThreads { get; init; } = 4;

    /// <summary>
    /// Largest WRITE (and READ) the kernel sends, in bytes. Default 1 MiB (256 pages of 4 KiB, the kernel's
    /// default fuse max_pages_limit). Each reader thread holds a buffer of this plus 4 KiB.
    /// </summary>
    public int MaxWrite { get; init; } = 1024 * 1024;

    /// <summary>
    /// Let users other than the mounting one use the mount (mount option allow_other). Default true.
    /// Security: with <see cref="DefaultPermissions"/> the kernel still checks modes for them.
    /// </summary>
    public bool AllowOther { get; init; } = true;

    /// <summary>
    /// Let the kernel check permissions from the returned modes and owners (default_permissions). Default
    /// true. Security: without it the filesystem must check every access itself.
    /// </summary>
    public bool DefaultPermissions { get; init; } = true;

    /// <summary>Shown as the mount's source in /proc/mounts and df. Default "ugloo".</summary>
    public string Source { get; init; } = "ugloo";

    /// <summary>The filesystem type is "fuse." + this. Default "ugloo".</summary>
    public string SubType { get; init; } = "ugloo";

    /// <summary>How long DisposeAsync waits for the session to end after unmounting before aborting it. Default 10 s.</summary>
    public TimeSpan UnmountTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Mount through fusermount3 (null, the default: only when not root).</summary>
    public bool? UseFusermount { get; init; }

    public void Validate()
    {
        if (ReaderThreads is < 2 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(ReaderThreads), ReaderThreads, "between 2 and 64");
        }

        if (MaxWrite is < 4096 or > 16 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWrite), MaxWrite, "between 4 KiB and 16 MiB");
        }

        if (string.IsNullOrWhiteSpace(Source) || Source.Contains(',', StringComparison.Ordinal) ||
            string.IsNullOrWhiteSpace(SubType) || SubType.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException("Source and SubType must be non-empty and contain no commas");
        }
    }
}
