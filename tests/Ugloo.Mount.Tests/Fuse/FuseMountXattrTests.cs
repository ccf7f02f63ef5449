using System.Text;
using System.Text.RegularExpressions;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>
/// Attributes outside <c>user.*</c>: answered EOPNOTSUPP by the adapter without a filesystem call, which is what
/// lets <c>ls -l</c> stop asking every file for its SELinux label and ACL; <c>user.*</c> attributes and
/// <c>getfattr -d</c> keep working.
/// </summary>
[Collection(FuseMountGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class FuseMountXattrTests
{
    private const int EOPNOTSUPP = 95;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtherNamespacesAreUnsupportedWithoutAskingTheFileSystem()
    {
        var fs = new CountingFileSystem();
        await using TestMount mount = await TestMount.StartAsync(fs);
        string file = mount.PathOf("f");
        string directory = mount.PathOf("d");
        await File.WriteAllTextAsync(file, "x", Ct);
        Directory.CreateDirectory(directory);

        foreach ((string path, string name) in new[]
        {
            (file, "security.selinux"), (file, "system.posix_acl_access"), (file, "security.capability"),
            (file, "trusted.overlay.opaque"), (directory, "system.posix_acl_default"), (directory, "security.selinux"),
        })
        {
            Assert.Equal(-1, (int)TestLibC.GetXattr(path, name, new byte[256], 256));
            Assert.Equal(EOPNOTSUPP, TestLibC.Errno);
        }

        Assert.Equal(0, fs.GetXattrCalls);

        // user.* still reaches the filesystem, before and after the refusals above.
        Assert.Equal(0, TestLibC.SetXattr(file, "user.color", "blue"u8.ToArray(), 4, 0));
        byte[] back = new byte[16];
        int length = (int)TestLibC.GetXattr(file, "user.color", back, (nuint)back.Length);
        Assert.Equal("blue", Encoding.UTF8.GetString(back, 0, length));
        Assert.Equal(1, fs.GetXattrCalls);
    }

    [Fact]
    public async Task LsLongAsksForLabelAndAclOncePerListingNotOncePerFile()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string directory = mount.PathOf("many");
        Directory.CreateDirectory(directory);
        for (int i = 0; i < 100; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, $"f{i:D3}"), "x", Ct);
        }

        string trace = Path.Combine(Path.GetTempPath(), $"ugloo-ls-strace-{Environment.ProcessId}.txt");
        try
        {
            await ExternalTool.RunCheckedAsync("strace", "-f", "-qq", "-o", trace, "-e", "trace=getxattr,lgetxattr", "ls", "-l", directory);
            string[] calls = [.. File.ReadLines(trace).Where(line => GetXattrCall().IsMatch(line))];

            // ls remembers a device that answered "not supported" and asks no other file on it. With ENODATA
            // it asked each of the 100 files twice (security.selinux, system.posix_acl_access).
            Assert.True(calls.Length <= 4, $"ls -l made {calls.Length} getxattr calls for 100 files:\n{string.Join('\n', calls.Take(10))}");
        }
        finally
        {
            File.Delete(trace);
        }

        string listing = await ExternalTool.RunCheckedAsync("ls", "-l", directory);
        string[] lines = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(101, lines.Length); // "total" and one line per file
        Assert.All(lines.Skip(1), line => Assert.Equal(' ', line[10])); // after the mode: no '+' (ACL) or '.' (label) marker
    }

    [Fact]
    public async Task GetfattrDumpsUserAttributes()
    {
        await using TestMount mount = await TestMount.StartAsync();
        string file = mount.PathOf("tagged");
        await File.WriteAllTextAsync(file, "x", Ct);
        await ExternalTool.RunCheckedAsync("setfattr", "-n", "user.color", "-v", "blue", file);
        await ExternalTool.RunCheckedAsync("setfattr", "-n", "user.size", "-v", "large", file);

        string dump = await ExternalTool.RunCheckedAsync("getfattr", "-d", "--absolute-names", file);
        Assert.Contains("user.color=\"blue\"", dump, StringComparison.Ordinal);
        Assert.Contains("user.size=\"large\"", dump, StringComparison.Ordinal);

        (int exitCode, _, string error) = await ExternalTool.RunAsync("getfattr", "-n", "security.selinux", "--absolute-names", file);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Operation not supported", error, StringComparison.Ordinal);

        await ExternalTool.RunCheckedAsync("setfattr", "-x", "user.color", file);
        dump = await ExternalTool.RunCheckedAsync("getfattr", "-d", "--absolute-names", file);
        Assert.DoesNotContain("user.color", dump, StringComparison.Ordinal);
        Assert.Contains("user.size=\"large\"", dump, StringComparison.Ordinal);
    }

    /// <summary>An strace line of a getxattr or lgetxattr call (with -f lines may start with a pid).</summary>
    [GeneratedRegex(@"^(\d+\s+)?l?getxattr\(")]
    private static partial Regex GetXattrCall();

    /// <summary>Counts the GETXATTR requests that reach the filesystem.</summary>
    private sealed class CountingFileSystem : MemoryFileSystem
    {
        private int _getXattrCalls;

        public int GetXattrCalls => Volatile.Read(ref _getXattrCalls);

        public override ValueTask<byte[]> GetXattrAsync(RequestContext context, ulong node, string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _getXattrCalls);
            return base.GetXattrAsync(context, node, name, cancellationToken);
        }
    }
}
