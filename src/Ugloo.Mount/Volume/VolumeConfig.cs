using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ugloo.Mount.Volume;

/// <summary>
/// <c>volume.json</c> in the data directory: how the volume is coded and where its nodes are. Written by
/// <c>ugloo up</c> when it creates the volume; read by every command. Relative file names are relative to
/// the data directory, so the whole directory can be moved. Holds no secret: the keys sit in their own
/// owner-only files.
/// </summary>
internal sealed class VolumeConfig
{
    public const int CurrentFormat = 1;
    public const string FileName = "volume.json";

    /// <summary>Layout version of this file; a newer one is refused rather than misread.</summary>
    public int Format { get; set; } = CurrentFormat;

    /// <summary>Data fragments per segment.</summary>
    public int K { get; set; }

    /// <summary>Parity fragments per segment.</summary>
    public int M { get; set; }

    /// <summary>Plaintext bytes per segment of new files.</summary>
    public int SegmentSize { get; set; }

    /// <summary>Node losses every acknowledged write must survive (DESIGN.md invariant 4).</summary>
    public int RequiredNodeLosses { get; set; }

    /// <summary>Nodes the client connects through (HOST:PORT); the rest are learned by peer exchange.</summary>
    public List<string> Seeds { get; set; } = [];

    public string ClusterKeyFile { get; set; } = "cluster.key";

    public string VolumeKeyFile { get; set; } = "volume.key";

    public string CatalogFile { get; set; } = "catalog.db";

    /// <summary>The local nodes <c>ugloo up</c> runs; empty for a volume on a cluster run elsewhere.</summary>
    public List<NodeConfig> Nodes { get; set; } = [];

    public DateTimeOffset Created { get; set; }

    /// <summary>Loads <c>DIR/volume.json</c>; null when there is none.</summary>
    public static VolumeConfig? TryLoad(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        VolumeConfig? config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllText(path), VolumeConfigJsonContext.Default.VolumeConfig);
        }
        catch (JsonException e)
        {
            throw new VolumeException($"{path} is not a valid volume file: {e.Message}", e);
        }

        if (config is null)
        {
            throw new VolumeException($"{path} is empty.");
        }

        if (config.Format > CurrentFormat)
        {
            throw new VolumeException($"{path} has format {config.Format}; this ugloo knows format {CurrentFormat}. Upgrade ugloo.");
        }

        if (config.K < 1 || config.M < 0 || config.SegmentSize <= 0 || config.RequiredNodeLosses < 0)
        {
            throw new VolumeException($"{path} has an invalid code or segment size (k={config.K}, m={config.M}, segment_size={config.SegmentSize}).");
        }

        return config;
    }

    /// <summary>Writes <c>DIR/volume.json</c> atomically (temporary file, fsync, rename).</summary>
    public void Save(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        string temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, this, VolumeConfigJsonContext.Default.VolumeConfig);
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    public static string Resolve(string dataDirectory, string file) => Path.GetFullPath(file, dataDirectory);

    /// <summary>"RS(4,2)".</summary>
    [JsonIgnore]
    public string CodeName => $"RS({K},{M})";
}
