using System.Diagnostics;

namespace Ugloo.S3.Tests.Gateway;

/// <summary>
/// Runs tests/s3-smoke.sh (aws cli, s3cmd, rclone against the gateway, every object compared with what
/// <c>ugloo get</c> reads) so that CI runs it; .ci/run installs the three clients.
/// </summary>
[Collection(S3ClusterGroup.Name)]
public sealed class S3SmokeScriptTests(S3Cluster cluster)
{
    [Fact]
    public async Task RealS3ClientsAgreeWithTheVolume()
    {
        string script = FindScript();
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.Environment["S3_ENDPOINT"] = cluster.ServiceUrl;
        start.Environment["AWS_ACCESS_KEY_ID"] = cluster.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = cluster.SecretKey;
        start.Environment["UGLOO_DATA"] = cluster.DataDirectory;
        start.Environment["UGLOO"] = "dotnet " + Path.Combine(AppContext.BaseDirectory, "ugloo.dll");
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("could not start bash");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"s3-smoke.sh exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        Assert.Contains("S3 smoke test passed", await stdout, StringComparison.Ordinal);
    }

    private static string FindScript()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "s3-smoke.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/s3-smoke.sh not found above " + AppContext.BaseDirectory);
    }
}
