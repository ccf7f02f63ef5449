namespace Ugloo.Mount.FileSystem;

/// <summary>Directory listing: opendir, readdir(plus) with stable cookies, releasedir.</summary>
internal partial class MemoryFileSystem
{
    public virtual ValueTask<OpenResult> OpenDirAsync(RequestContext context, ulong node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(NewHandle(Directory(node), OpenFlags.Read));
        }
    }

    public virtual ValueTask ReadDirAsync(RequestContext context, ulong node, ulong handle, long offset, DirectoryListing listing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listing);
        lock (_gate)
        {
            MemoryNode directory = Handle(handle, node).Node;
            if (!directory.IsDirectory)
            {
                throw new FileSystemException(FileSystemError.NotADirectory);
            }

            // "." and ".." get cookies 1 and 2 and no attributes: the kernel never counts lookups for them.
            if (offset < 1 && !listing.TryAdd(".", directory.Id, NodeType.Directory, 1, null))
            {
                return ValueTask.CompletedTask;
            }

            if (offset < 2 && !listing.TryAdd("..", directory.Parent!.Id, NodeType.Directory, 2, null))
            {
                return ValueTask.CompletedTask;
            }

            SortedList<long, MemoryDirEntry> entries = directory.ByCookie!;
            for (int i = FirstAfter(entries.Keys, offset); i < entries.Count; i++)
            {
                MemoryDirEntry entry = entries.Values[i];
                EntryInfo? info = listing.WantsAttributes ? new EntryInfo(Attributes(entry.Node), EntryTtl) : null;
                if (!listing.TryAdd(entry.Name, entry.Node.Id, entry.Node.Type, entry.Cookie, info))
                {
                    break;
                }

                if (info is not null)
                {
                    entry.Node.LookupCount++;
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    public virtual ValueTask ReleaseDirAsync(ulong node, ulong handle, CancellationToken cancellationToken) =>
        ReleaseAsync(node, handle, cancellationToken);

    /// <summary>Index of the first cookie greater than <paramref name="offset"/> (binary search).</summary>
    private static int FirstAfter(IList<long> cookies, long offset)
    {
        int low = 0;
        int high = cookies.Count;
        while (low < high)
        {
            int middle = low + ((high - low) / 2);
            if (cookies[middle] <= offset)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
