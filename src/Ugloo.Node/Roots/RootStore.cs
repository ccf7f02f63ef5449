using Ugloo.Engine.Catalog.Backup;
using Ugloo.Engine.Storage;

namespace Ugloo.Node.Roots;

/// <summary>
/// The catalog root pointers this node keeps: for each volume id, the valid pointer with the highest sequence
/// (docs/PROTOCOL.md, ugloo_root_put). A pointer is valid when it parses and its Ed25519 signature verifies
/// under the volume id it is filed under, which is the signer's public key: no node can forge or roll back a
/// volume's pointer, it can only fail to keep it. Each pointer is one owner-only file
/// <c>DIR/roots/&lt;volume id hex&gt;</c>, replaced atomically (temporary file, fsync, rename, directory fsync),
/// so it survives restarts and a crash leaves the old pointer or the new one.
/// </summary>
internal sealed class RootStore
{
    /// <summary>Volumes one node keeps pointers for; a peer that files more is refused (the cluster key limits who can).</summary>
    public const int MaxVolumes = 4096;

    private readonly string _directory;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RootPointer> _held = new(StringComparer.Ordinal);

    private RootStore(string directory)
    {
        _directory = directory;
    }

    /// <summary>Opens (creating) <c>DIR/roots</c> and loads what it holds; unreadable files are skipped, not trusted.</summary>
    public static RootStore Open(string dataDirectory)
    {
        string directory = Path.Combine(dataDirectory, "roots");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var store = new RootStore(directory);
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(file);
            if (name.Length != RootSigningKey.PublicKeySize * 2)
            {
                // A temporary file of a write a crash interrupted.
                File.Delete(file);
                continue;
            }

            try
            {
                var pointer = RootPointer.Parse(File.ReadAllBytes(file));
                if (pointer.IsSignatureValid() && Convert.ToHexStringLower(pointer.VolumeId) == name)
                {
                    store._held[name] = pointer;
                }
            }
            catch (InvalidDataException)
            {
                // Damaged on disk: dropped; the client's next backup or another node's copy takes its place.
            }
        }

        return store;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>The pointer held for <paramref name="volumeId"/>, serialized, or null.</summary>
    public byte[]? Get(ReadOnlySpan<byte> volumeId)
    {
        lock (_lock)
        {
            return _held.TryGetValue(Convert.ToHexStringLower(volumeId), out RootPointer? pointer) ? pointer.Serialize() : null;
        }
    }

    /// <summary>Keeps <paramref name="record"/> if it is valid and newer than what is held; says what happened.</summary>
    public RootPutOutcome Put(ReadOnlySpan<byte> record)
    {
        RootPointer pointer;
        try
        {
            pointer = RootPointer.Parse(record);
        }
        catch (InvalidDataException e)
        {
            return new RootPutOutcome(RootPutStatus.Invalid, 0, e.Message);
        }

        if (!pointer.IsSignatureValid())
        {
            return new RootPutOutcome(RootPutStatus.Invalid, 0, "the signature does not verify under the pointer's volume id");
        }

        string name = Convert.ToHexStringLower(pointer.VolumeId);
        lock (_lock)
        {
            if (_held.TryGetValue(name, out RootPointer? current))
            {
                if (current.Sequence >= pointer.Sequence)
                {
                    return new RootPutOutcome(RootPutStatus.Stale, current.Sequence, $"this node holds sequence {current.Sequence}");
                }
            }
            else if (_held.Count >= MaxVolumes)
            {
                return new RootPutOutcome(RootPutStatus.Invalid, 0, $"this node keeps pointers for at most {MaxVolumes} volumes");
            }

            // Written under the lock: pointers are small and rare (one per catalog backup), and two writers of one
            // volume must not race the rename.
            string path = Path.Combine(_directory, name);
            string temp = path + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(record);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(_directory);
            _held[name] = pointer;
            return new RootPutOutcome(RootPutStatus.Stored, pointer.Sequence, null);
        }
    }
}

internal enum RootPutStatus
{
    Stored,
    Stale,
    Invalid,
}

/// <summary>What <see cref="RootStore.Put"/> did; <paramref name="Sequence"/> is what the node holds afterwards.</summary>
internal readonly record struct RootPutOutcome(RootPutStatus Status, long Sequence, string? Reason);
