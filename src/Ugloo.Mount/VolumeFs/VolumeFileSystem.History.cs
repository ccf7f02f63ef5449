using System.Globalization;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.VolumeFs;

/// <summary>
/// The read-only history tree: <c>/.ugloo/history/PATH/</c> lists every version of a file (named
/// <c>UTC-TIME_vID</c>) and every name a directory ever held; <c>/.ugloo/at/UTC-TIME/</c> is the whole tree as
/// it was at that instant. <c>/.ugloo</c> is not listed in the root (so <c>cp -a</c>, <c>rsync -a</c> and
/// <c>find</c> of the mount do not walk all of history) but can be entered by name. Every change there
/// answers EROFS. Versions never change, so the kernel may cache their pages and attributes for long.
/// </summary>
internal sealed partial class VolumeFileSystem
{
    /// <summary>The name of the history tree in the root.</summary>
    public const string HistoryName = ".ugloo";

    private const string VersionTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const uint ViewDirectoryPermissions = 0x16D; // 0555

    private static readonly TimeSpan s_immutableTtl = TimeSpan.FromHours(1);

    /// <summary>For the tree at an instant that a queued file's version may still be dated into (<see cref="AtTtl"/>).</summary>
    private static readonly TimeSpan s_settlingTtl = TimeSpan.FromSeconds(1);

    private static readonly string[] s_atFormats =
    [
        VersionTimeFormat,
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm'Z'",
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd",
    ];

    private readonly Dictionary<string, VolumeNode> _views = new(StringComparer.Ordinal);

    /// <summary>The name of a version in <c>/.ugloo/history/FILE/</c>: sortable UTC time, then the version id.</summary>
    public static string VersionName(CatalogVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.Dated.UtcDateTime.ToString(VersionTimeFormat, CultureInfo.InvariantCulture) + "_v" + version.Id.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parses the instant of <c>/.ugloo/at/TIME</c> (UTC; a version name's time works too).</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(text);
        int version = text.LastIndexOf("_v", StringComparison.Ordinal);
        string time = version > 0 ? text[..version] : text;
        return DateTimeOffset.TryParseExact(time, s_atFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    /// <summary>Lookup inside the history tree (or of /.ugloo itself). Caller holds the lock.</summary>
    private VolumeNode? LookupView(VolumeNode directory, string name)
    {
        if (directory.View is not { } view)
        {
            return directory.Id == IFileSystem.RootNode && name == HistoryName ? BindView(new HistoryView(HistoryViewKind.Root, "/")) : null;
        }

        string child = view.Path == "/" ? "/" + name : view.Path + "/" + name;
        switch (view.Kind)
        {
            case HistoryViewKind.Root:
                return name switch
                {
                    "history" => BindView(new HistoryView(HistoryViewKind.HistoryDirectory, "/")),
                    "at" => BindView(new HistoryView(HistoryViewKind.AtRoot, "/")),
                    _ => null,
                };
            case HistoryViewKind.HistoryDirectory:
                foreach ((string ever, bool isDirectory) in _catalog.ListEver(view.Path))
                {
                    if (ever == name)
                    {
                        return BindView(new HistoryView(isDirectory ? HistoryViewKind.HistoryDirectory : HistoryViewKind.HistoryFile, child));
                    }
                }

                return null;
            case HistoryViewKind.HistoryFile:
                int at = name.LastIndexOf("_v", StringComparison.Ordinal);
                return at > 0
                    && long.TryParse(name.AsSpan(at + 2), NumberStyles.None, CultureInfo.InvariantCulture, out long id)
                    && _catalog.GetVersion(id) is { IsTombstone: false } version
                    && version.Path == view.Path
                    && VersionName(version) == name
                    ? BindView(new HistoryView(HistoryViewKind.HistoryVersion, view.Path), version)
                    : null;
            case HistoryViewKind.AtRoot:
                return TryParseInstant(name, out DateTimeOffset instant) ? BindView(new HistoryView(HistoryViewKind.AtDirectory, "/", instant)) : null;
            case HistoryViewKind.AtDirectory:
                if (_catalog.GetLatestAt(child, view.At) is { } then)
                {
                    return BindView(new HistoryView(HistoryViewKind.AtFile, child, view.At), then);
                }

                return _catalog.GetDirectory(child, view.At) is null ? null : BindView(new HistoryView(HistoryViewKind.AtDirectory, child, view.At));
            default:
                return null;
        }
    }

    /// <summary>The entries of a history directory: (name, type, view, version). Caller holds the lock.</summary>
    private List<(string Name, NodeType Type, HistoryView View, CatalogVersion? Version)> ListView(HistoryView view)
    {
        var entries = new List<(string, NodeType, HistoryView, CatalogVersion?)>();
        switch (view.Kind)
        {
            case HistoryViewKind.Root:
                entries.Add(("history", NodeType.Directory, new HistoryView(HistoryViewKind.HistoryDirectory, "/"), null));
                entries.Add(("at", NodeType.Directory, new HistoryView(HistoryViewKind.AtRoot, "/"), null));
                break;
            case HistoryViewKind.HistoryDirectory:
                foreach ((string name, bool isDirectory) in _catalog.ListEver(view.Path))
                {
                    string child = view.Path == "/" ? "/" + name : view.Path + "/" + name;
                    entries.Add((name, NodeType.Directory, new HistoryView(isDirectory ? HistoryViewKind.HistoryDirectory : HistoryViewKind.HistoryFile, child), null));
                }

                break;
            case HistoryViewKind.HistoryFile:
                foreach (CatalogVersion version in _catalog.GetVersions(view.Path))
                {
                    if (!version.IsTombstone)
                    {
                        entries.Add((VersionName(version), version.IsSymlink ? NodeType.Symlink : NodeType.File, new HistoryView(HistoryViewKind.HistoryVersion, view.Path), version));
                    }
                }

                break;
            case HistoryViewKind.AtDirectory:
                foreach (CatalogEntry entry in _catalog.List(view.Path, view.At))
                {
                    if (entry.IsDirectory)
                    {
                        entries.Add((entry.Name, NodeType.Directory, new HistoryView(HistoryViewKind.AtDirectory, entry.Path, view.At), null));
                    }
                    else if (_catalog.GetLatestAt(entry.Path, view.At) is { } then)
                    {
                        entries.Add((entry.Name, then.IsSymlink ? NodeType.Symlink : NodeType.File, new HistoryView(HistoryViewKind.AtFile, entry.Path, view.At), then));
                    }
                }

                break;
            default:
                // /.ugloo/at lists nothing: any instant can be looked up by name.
                break;
        }

        return entries;
    }

    /// <summary>The session's node for a view (the same id for the same view while the kernel holds it). Caller holds the lock.</summary>
    private VolumeNode BindView(HistoryView view, CatalogVersion? version = null)
    {
        string key = view.Key(version?.Id ?? 0);
        if (!_views.TryGetValue(key, out VolumeNode? node))
        {
            node = new VolumeNode(_nextNode++, key, view.IsDirectory) { View = view, Version = version };
            _nodes.Add(node.Id, node);
            _views.Add(key, node);
        }

        return node;
    }

    private NodeAttributes ViewAttributes(VolumeNode n)
    {
        HistoryView view = n.View!;
        if (view.IsDirectory)
        {
            FileTime time = view.Kind is HistoryViewKind.AtDirectory ? FileTime.FromDateTimeOffset(view.At) : FileTime.FromDateTimeOffset(_mounted);
            TimeSpan ttl = view.Kind switch
            {
                HistoryViewKind.AtDirectory => AtTtl(view.At),
                HistoryViewKind.Root or HistoryViewKind.AtRoot => s_immutableTtl,
                _ => s_ttl,
            };
            return new NodeAttributes(n.Id, NodeType.Directory, ViewDirectoryPermissions, 2, _uid, _gid, 0, time, time, time, 0, ttl);
        }

        // A version's own mode, owner and mtime, without write permission: nothing there can change.
        CatalogVersion version = n.Version!;
        CatalogAttributes a = version.Attributes ?? new CatalogAttributes(version.IsSymlink ? 0x1FFu : FilePermissions, _uid, _gid, CatalogAttributes.ToNanoseconds(version.Created));
        FileTime modified = FromNanoseconds(a.ModifiedNs);
        FileTime created = FileTime.FromDateTimeOffset(version.Created);
        uint mode = version.IsSymlink ? a.Mode : a.Mode & ~0x92u; // clear the three write bits (0222)
        return new NodeAttributes(n.Id, n.Type, mode, 1, a.Uid, a.Gid, version.Size, modified, modified, created, 0, view.Kind is HistoryViewKind.AtFile ? AtTtl(view.At) : s_immutableTtl);
    }

    /// <summary>
    /// How long the kernel may keep names and attributes of the tree as it was at <paramref name="at"/>. A file
    /// still in the write-back journal gets a version dated by its close, so an instant at or after the oldest
    /// queued close (<see cref="_unsettledSince"/>) can still change, once that upload is recorded: a second
    /// then, else an hour. Caller holds the lock.
    /// </summary>
    private TimeSpan AtTtl(DateTimeOffset at) => at < (_unsettledSince ?? DateTimeOffset.UtcNow) ? s_immutableTtl : s_settlingTtl;

    /// <summary>Throws EROFS when <paramref name="node"/> is part of the history tree. Caller holds the lock.</summary>
    private static void RejectView(VolumeNode node)
    {
        if (node.View is not null)
        {
            throw new FileSystemException(FileSystemError.ReadOnly);
        }
    }
}
