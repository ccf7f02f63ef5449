using Ugloo.Engine.Catalog;
using Ugloo.Engine.Objects;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>The <c>user.ugloo.state</c> attribute: where a file's newest content is, asked of the nodes.</summary>
internal sealed partial class VolumeFileSystem
{
    /// <summary>
    /// "pending" while only this machine has the file's newest content (written, or queued in the journal);
    /// otherwise the newest version's fragments as the nodes that are up hold them, the first word saying
    /// which: <c>durable</c> (every segment has all n fragments), <c>degraded</c> (every segment readable, some
    /// short of n, so repair has work), <c>lost</c> (some segment has fewer than k: unreadable until a node
    /// holding more returns), e.g. "degraded: 2 of 3 segments short of 6 fragments, the worst has 5 (4 needed)".
    /// </summary>
    private async ValueTask<byte[]> StateAsync(VolumeNode n, CancellationToken cancellationToken)
    {
        CatalogVersion? version;
        lock (_gate)
        {
            Refresh(n);
            if (n.HasLocalContent)
            {
                return "pending"u8.ToArray();
            }

            version = n.Version;
        }

        if (version?.Manifest is null)
        {
            throw new FileSystemException(FileSystemError.NoData);
        }

        if (version.IsSymlink)
        {
            return "durable (symlink: in the catalog)"u8.ToArray();
        }

        ObjectManifest manifest = ObjectManifest.Deserialize(version.Manifest);

        // A packed small file depends only on the pack's segments that hold its bytes.
        int first = version.IsPacked ? manifest.SegmentOf(version.ContentOffset) : 0;
        int last = version.IsPacked ? manifest.SegmentOf(version.ContentOffset + Math.Max(0, version.Size - 1)) : manifest.SegmentCount - 1;
        var ids = new List<FragmentId>((last - first + 1) * manifest.TotalFragments);
        for (int s = first; s <= last; s++)
        {
            ids.AddRange(manifest.GetFragmentIds(s).ToArray());
        }

        IReadOnlySet<FragmentId> held = await _client.FindHeldAsync(ids, cancellationToken).ConfigureAwait(false);
        int worst = manifest.TotalFragments, shortSegments = 0, lostSegments = 0;
        for (int s = first; s <= last; s++)
        {
            int present = 0;
            foreach (FragmentId id in manifest.GetFragmentIds(s))
            {
                present += held.Contains(id) ? 1 : 0;
            }

            worst = Math.Min(worst, present);
            shortSegments += present < manifest.TotalFragments ? 1 : 0;
            lostSegments += present < manifest.DataFragments ? 1 : 0;
        }

        int segments = last - first + 1, total = manifest.TotalFragments, k = manifest.DataFragments;
        string state = lostSegments > 0
            ? $"lost: {lostSegments} of {segments} segments have fewer than the {k} fragments needed, the worst has {worst} of {total}"
            : shortSegments > 0
                ? $"degraded: {shortSegments} of {segments} segments short of {total} fragments, the worst has {worst} ({k} needed)"
                : $"durable: all {total} fragments of each of {segments} segments on the nodes ({k} needed)";
        return System.Text.Encoding.UTF8.GetBytes(state);
    }
}
