using System.Text.Json;

namespace Ugloo.Mount.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task Codec_json_lines_have_the_isal_shape_for_every_supported_path()
    {
        (int exit, string stdout, string stderr) = await UglooProcess.RunAsync(
            ["bench", "codec", "--json", "--path", "all", "--code", "4,2", "--fragment-bytes", "65536", "--trial-seconds", "0.02"],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        var paths = new HashSet<string>();
        foreach (string line in lines)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement figure = doc.RootElement;
            Assert.Equal("ugloo", figure.GetProperty("impl").GetString());
            Assert.True(figure.GetProperty("op").GetString() is "encode" or "decode");
            Assert.Equal(4, figure.GetProperty("k").GetInt32());
            Assert.Equal(2, figure.GetProperty("m").GetInt32());
            Assert.Equal(65536, figure.GetProperty("fragment_bytes").GetInt32());
            Assert.True(figure.GetProperty("gbps").GetDouble() > 0);
            paths.Add(figure.GetProperty("path").GetString()!);
        }

        // Every supported path reports both an encode and a decode figure.
        Assert.Equal(paths.Count * 2, lines.Length);
        Assert.Contains("scalar", paths);
    }

    [Fact]
    public async Task Unknown_path_is_a_clear_usage_error()
    {
        (int exit, _, string stderr) = await UglooProcess.RunAsync(["bench", "codec", "--path", "sse9"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("Unknown codec path 'sse9'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0,4")]
    [InlineData("200,56")]
    [InlineData("ten,four")]
    public async Task Bad_code_is_a_clear_usage_error(string code)
    {
        (int exit, _, string stderr) = await UglooProcess.RunAsync(["bench", "codec", "--code", code], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains($"Bad code '{code}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pipeline_reports_one_and_all_threads_with_peak_memory()
    {
        (int exit, string stdout, string stderr) = await UglooProcess.RunAsync(
            ["bench", "pipeline", "--json", "--size", "3M", "--segment-size", "64K", "--threads", "1", "2"],
            TestContext.Current.CancellationToken);

        Assert.True(exit == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            using JsonDocument doc = JsonDocument.Parse(lines[i]);
            JsonElement figure = doc.RootElement;
            Assert.Equal("pipeline", figure.GetProperty("op").GetString());
            Assert.Equal(i + 1, figure.GetProperty("threads").GetInt32());
            Assert.Equal(3 << 20, figure.GetProperty("input_bytes").GetInt64());
            Assert.Equal(64 << 10, figure.GetProperty("segment_bytes").GetInt32());
            Assert.True(figure.GetProperty("gbps").GetDouble() > 0);
            Assert.True(figure.GetProperty("peak_rss_bytes").GetInt64() > 1 << 20);
        }
    }

    [Fact]
    public async Task Pipeline_refuses_a_segment_size_out_of_range()
    {
        (int exit, _, string stderr) = await UglooProcess.RunAsync(["bench", "pipeline", "--segment-size", "10"], TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("--segment-size must be between", stderr, StringComparison.Ordinal);
    }
}
