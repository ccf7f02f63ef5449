using Microsoft.Extensions.Logging.Abstractions;
using Ugloo.Engine.Storage;

namespace Ugloo.Engine.Tests.Storage;

/// <summary>A scratch folder with one or more data directories, deleted at dispose.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore(int directoryCount = 1)
    {
        Root = Path.Combine(Path.GetTempPath(), "ugloo-store-" + Guid.NewGuid().ToString("N"));
        Directories = Enumerable.Range(0, directoryCount).Select(i => Path.Combine(Root, "disk" + i)).ToArray();
    }

    public string Root { get; }

    public string[] Directories { get; }

    public FragmentStore Open(long? capacityBytes = null, long? perDirectoryCapacityBytes = null, bool directIo = true)
    {
        var options = new FragmentStoreOptions { CapacityBytes = capacityBytes, ReservedDiskBytes = 0, DirectIo = directIo };
        foreach (string directory in Directories)
        {
            options.AddDirectory(directory, perDirectoryCapacityBytes);
        }

        return FragmentStore.Open(options, NullLogger.Instance, TestContext.Current.CancellationToken);
    }

    public IEnumerable<string> FilesUnder(string folder) =>
        Directories.SelectMany(d => Directory.Exists(Path.Combine(d, folder))
            ? Directory.EnumerateFiles(Path.Combine(d, folder), "*", SearchOption.AllDirectories)
            : []);

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
