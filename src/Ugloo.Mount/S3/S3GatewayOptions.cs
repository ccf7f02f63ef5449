namespace Ugloo.Mount.S3;

/// <summary>Settings of the S3 gateway.</summary>
internal sealed class S3GatewayOptions
{
    /// <summary>Address to listen on, HOST:PORT. Default 127.0.0.1:9000: loopback only, as the gateway speaks plain HTTP.</summary>
    public string Listen { get; init; } = "127.0.0.1:9000";

    /// <summary>
    /// Virtual-host-style addressing: requests whose Host is BUCKET.DOMAIN address BUCKET. Default none (path
    /// style only, what local endpoints use).
    /// </summary>
    public string? VirtualHostDomain { get; init; }

    /// <summary>Smallest part of a multipart upload other than the last, in bytes. Default 5 MiB, S3's limit.</summary>
    public long MinPartSize { get; init; } = 5L << 20;

    /// <summary>Largest single PUT, in bytes. Default 5 GiB, S3's limit (larger objects go in multipart uploads).</summary>
    public long MaxPutSize { get; init; } = 5L << 30;

    /// <summary>Region reported by GetBucketLocation. Default us-east-1 (reported as S3 does: an empty constraint).</summary>
    public string Region { get; init; } = "us-east-1";
}
