using System.Diagnostics;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Tests.Fuse;

/// <summary>Mounting, unmounting and interrupted requests.</summary>
[Collection(FuseMountGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FuseMountLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UnmountWhileIdleLeavesAnEmptyMountPoint()
    {
        TestMount mount = await TestMount.StartAsync();
        string root = mount.Root;
        try
        {
            Assert.True(TestMount.IsMounted(root));
            Assert.True(mount.Mount.Negotiated.Minor >= 31);
            Directory.CreateDirectory(mount.PathOf("d"));
            await File.WriteAllTextAsync(mount.PathOf("d/f"), "x", Ct);
            await mount.Mount.DisposeAsync();

            Assert.True(mount.Mount.Completion.IsCompleted, "the session's readers saw ENODEV and ended");
            Assert.False(TestMount.IsMounted(root));
            Assert.Empty(Directory.GetFileSystemEntries(root));
        }
        finally
        {
            await mount.DisposeAsync();
        }
    }

    [Fact]
    public async Task MountingThroughFusermount3ReceivesTheDeviceOverTheSocketAndServes()
    {
        // The path a normal user takes (fusermount3 opens /dev/fuse and passes it back with SCM_RIGHTS),
        // forced here because the suite runs as root.
        TestMount mount = await TestMount.StartAsync(options: new Ugloo.Mount.Fuse.FuseMountOptions { UseFusermount = true });
        string root = mount.Root;
        try
        {
            Assert.True(TestMount.IsMounted(root));
            await File.WriteAllTextAsync(mount.PathOf("via-helper"), "passed over a unix socket", Ct);
            Assert.Equal("passed over a unix socket", await File.ReadAllTextAsync(mount.PathOf("via-helper"), Ct));
            await mount.Mount.DisposeAsync();
            Assert.False(TestMount.IsMounted(root));
        }
        finally
        {
            await mount.DisposeAsync();
        }
    }

    [Fact]
    public async Task KilledReaderOfABlockedReadDoesNotWedgeTheSession()
    {
        var fileSystem = new BlockingReadFileSystem();
        await using TestMount mount = await TestMount.StartAsync(fileSystem);
        await File.WriteAllTextAsync(mount.PathOf("slow"), "never read", Ct);
        await File.WriteAllTextAsync(mount.PathOf("fast"), "read fine", Ct);
        await fileSystem.BlockReadsOfAsync("slow");

        using Process cat = StartCat(mount.PathOf("slow"));
        await fileSystem.ReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // SIGKILL: the kernel sends INTERRUPT for the READ; the session cancels it and answers EINTR,
        // which lets the process die.
        cat.Kill();
        await cat.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.True(await fileSystem.ReadCancelled.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct));

        // The session still serves everything else.
        Assert.Equal("read fine", await File.ReadAllTextAsync(mount.PathOf("fast"), Ct));
        await FuseMountFileTests.WaitUntilAsync(() => mount.Mount.InFlightCount == 0);
        Assert.Equal(0, mount.Mount.InFlightCount);
    }

    [Fact]
    public async Task UnmountWithABlockedRequestReturnsAndFreesTheCaller()
    {
        var fileSystem = new BlockingReadFileSystem();
        TestMount mount = await TestMount.StartAsync(fileSystem);
        string root = mount.Root;
        Process? cat = null;
        try
        {
            await File.WriteAllTextAsync(mount.PathOf("slow"), "never read", Ct);
            await fileSystem.BlockReadsOfAsync("slow");
            cat = StartCat(mount.PathOf("slow"));
            await fileSystem.ReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            // Busy (cat holds the file open): detached lazily, the blocked read answered EINTR, and the
            // session ends once cat has gone.
            await mount.Mount.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);
            await cat.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.NotEqual(0, cat.ExitCode);
            Assert.False(TestMount.IsMounted(root));
        }
        finally
        {
            if (cat is { HasExited: false })
            {
                cat.Kill();
            }

            cat?.Dispose();
            await mount.DisposeAsync();
        }
    }

    private static Process StartCat(string path)
    {
        var start = new ProcessStartInfo("cat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        return Process.Start(start)!;
    }

    /// <summary>Blocks every read of one file until the request is cancelled; opens it with direct I/O so the read is synchronous and interruptible.</summary>
    private sealed class BlockingReadFileSystem : MemoryFileSystem
    {
        private ulong _blockedNode;

        public TaskCompletionSource ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> ReadCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Blocks reads of the file <paramref name="name"/> in the root directory from now on.</summary>
        public async Task BlockReadsOfAsync(string name)
        {
            EntryInfo entry = (await LookupAsync(default, IFileSystem.RootNode, name, CancellationToken.None))!.Value;
            await ForgetAsync(entry.Node, 1, CancellationToken.None);
            _blockedNode = entry.Node;
        }

        public override async ValueTask<OpenResult> OpenAsync(RequestContext context, ulong node, OpenFlags flags, CancellationToken cancellationToken)
        {
            OpenResult open = await base.OpenAsync(context, node, flags, cancellationToken);
            return node == _blockedNode ? open with { DirectIo = true } : open;
        }

        public override async ValueTask<int> ReadAsync(RequestContext context, ulong node, ulong handle, long offset, Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (node != _blockedNode)
            {
                return await base.ReadAsync(context, node, handle, offset, destination, cancellationToken);
            }

            ReadStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                ReadCancelled.TrySetResult(true);
                throw;
            }

            return 0;
        }
    }
}
