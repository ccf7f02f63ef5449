using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.S3;
using Ugloo.Mount.Tests.Cluster;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>
/// One <c>ugloo up</c> cluster (six nodes and its S3 gateway on a kernel-chosen port) shared by the S3 test
/// classes: starting six node processes costs more than the tests themselves.
/// </summary>
public sealed partial class S3Cluster : IAsyncLifetime
{
    private RunningCluster? _cluster;

    internal RunningCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    public string ServiceUrl { get; private set; } = "";

    public string AccessKey { get; private set; } = "";

    public string SecretKey { get; private set; } = "";

    public int UpPid => Cluster.UpPid;

    public string DataDirectory => Cluster.DataDirectory;

    public async ValueTask InitializeAsync()
    {
        _cluster = await RunningCluster.StartAsync(6, ["--s3", "127.0.0.1:0"], TestContext.Current.CancellationToken);
        Match line = S3Line().Match(_cluster.Output);
        if (!line.Success)
        {
            throw new InvalidOperationException("ugloo up printed no s3 line:\n" + _cluster.Output);
        }

        ServiceUrl = line.Groups["url"].Value;
        AccessKey = line.Groups["ak"].Value;
        SecretKey = line.Groups["sk"].Value;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>A client configured as docs/S3.md tells users: path style, us-east-1, checksums only when required.</summary>
    public AmazonS3Client Client(string? accessKey = null, string? secretKey = null) =>
        new(
            new BasicAWSCredentials(accessKey ?? AccessKey, secretKey ?? SecretKey),
            new AmazonS3Config
            {
                ServiceURL = ServiceUrl,
                ForcePathStyle = true,
                AuthenticationRegion = "us-east-1",
                RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
                ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
                MaxErrorRetry = 0,
            });

    /// <summary>A client with the SDK's defaults: aws-chunked bodies with a trailing CRC32 checksum.</summary>
    public AmazonS3Client DefaultClient() =>
        new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config { ServiceURL = ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    /// <summary>A new bucket name no other test uses.</summary>
    public static string NewBucket() => "b-" + Guid.NewGuid().ToString("N")[..16];

    [GeneratedRegex(@"s3\s+(?<url>http://\S+)\s+access key (?<ak>\S+)\s+secret (?<sk>\S+)")]
    private static partial Regex S3Line();
}

/// <summary>The S3 test classes share one cluster and run one at a time (two cores, six nodes).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class S3ClusterGroup : ICollectionFixture<S3Cluster>
{
    public const string Name = "s3 cluster";
}
