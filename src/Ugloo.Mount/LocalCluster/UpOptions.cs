namespace Ugloo.Mount.LocalCluster;

/// <summary>What <c>ugloo up</c> was asked for. Null means "not given": keep the volume's value or the default.</summary>
internal sealed class UpOptions
{
    public const int DefaultNodes = 6;
    public const int DefaultK = 4;
    public const int DefaultM = 2;

    public required string DataDirectory { get; init; }

    public int? Nodes { get; init; }

    public int? BasePort { get; init; }

    public (int K, int M)? Code { get; init; }

    public int? SegmentSize { get; init; }

    public int? RequiredNodeLosses { get; init; }

    public string? NodeCapacity { get; init; }

    public string? PassphraseFile { get; init; }

    public string? MountPath { get; init; }

    public bool NoMount { get; init; }

    /// <summary>The mount's segment cache (<c>--cache-size</c>). Default null: 1 GiB.</summary>
    public VolumeFs.SegmentCacheOptions? Cache { get; init; }

    /// <summary>The S3 gateway's address (HOST:PORT). Default null: 127.0.0.1:9000, or the next free port up to 9099.</summary>
    public string? S3Listen { get; init; }

    /// <summary>Run without the S3 gateway. Default false.</summary>
    public bool NoS3 { get; init; }

    /// <summary>How long to wait for every node to answer before giving up. Default 60 s.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a node gets after SIGTERM before it is killed. Default 15 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(15);
}
