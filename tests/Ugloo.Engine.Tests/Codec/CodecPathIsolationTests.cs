using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Ugloo.Engine.Tests.Codec;

/// <summary>
/// Re-runs <see cref="CodecPathTests"/> in child processes with one instruction-set family switched
/// off, so the narrower paths and fallbacks the hardware would otherwise never pick are exercised, and
/// checks the child reports the switch (ImageSharp's approach). The test assembly is an xunit v3
/// executable: <c>dotnet Ugloo.Engine.Tests.dll -class ...</c> runs it directly.
/// </summary>
public sealed partial class CodecPathIsolationTests
{
    [Theory]
    [InlineData("DOTNET_EnableGFNI", "UGLOO_EXPECT_NO_GFNI")]
    [InlineData("DOTNET_EnableAVX512", "UGLOO_EXPECT_NO_AVX512")]
    [InlineData("DOTNET_EnableAVX2", "UGLOO_EXPECT_NO_AVX2")]
    [InlineData("DOTNET_EnableHWIntrinsic", "UGLOO_EXPECT_SCALAR_ONLY")]
    public async Task Path_tests_pass_with_an_instruction_set_switched_off(string runtimeSwitch, string expectation)
    {
        string assembly = typeof(CodecPathTests).Assembly.Location;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("-class");
        start.ArgumentList.Add(typeof(CodecPathTests).FullName!);
        start.Environment[runtimeSwitch] = "0";
        start.Environment[expectation] = "1";
        start.Environment["UGLOO_CODEC_QUICK"] = "1";

        using var child = Process.Start(start)!;
        Task<string> stdout = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        string output = await stdout + await stderr;

        Assert.True(child.ExitCode == 0, $"Child with {runtimeSwitch}=0 failed ({child.ExitCode}):\n{output}");

        // The child must have run tests, not matched nothing and exited 0.
        Match total = TotalPattern().Match(output);
        Assert.True(total.Success, $"No test summary from the child:\n{output}");
        Assert.True(int.Parse(total.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, $"The child ran no tests:\n{output}");
    }

    [GeneratedRegex(@"Total: (\d+)")]
    private static partial Regex TotalPattern();
}
