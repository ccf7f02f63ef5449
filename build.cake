// Build script: `dotnet tool restore && dotnet cake --target=<Clean|Build|Test|Publish|Bench>`.
// Test runs exactly the README's test command (`dotnet test Ugloo.sln`), so CI and Cake agree.
var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var solution = "./Ugloo.sln";
var artifacts = Directory("./artifacts");
// This machine's portable runtime identifier (linux-x64, win-x64, osx-arm64, linux-musl-x64 …).
var runtime = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

Task("Clean")
    .Does(() =>
{
    CleanDirectories("./src/**/bin");
    CleanDirectories("./src/**/obj");
    CleanDirectories("./tests/**/bin");
    CleanDirectories("./tests/**/obj");
    CleanDirectories("./benchmarks/**/bin");
    CleanDirectories("./benchmarks/**/obj");
    CleanDirectory(artifacts);
});

Task("Build")
    .Does(() =>
{
    DotNetBuild(solution, new DotNetBuildSettings { Configuration = configuration });
});

Task("Test")
    .Does(() =>
{
    // Same command as the README and .ci/run (Debug, the default configuration).
    DotNetTest(solution);
});

Task("Publish")
    .IsDependentOn("Build")
    .Does(() =>
{
    foreach (var project in new[] { "./src/Ugloo.Mount/Ugloo.Mount.csproj", "./src/Ugloo.Node/Ugloo.Node.csproj" })
    {
        // For this machine's runtime, so the projects publish ReadyToRun (precompiled: no JIT wait at start).
        DotNetPublish(project, new DotNetPublishSettings
        {
            Configuration = configuration,
            Runtime = runtime,
            SelfContained = false,
            OutputDirectory = artifacts + Directory("publish"),
        });
    }
});

Task("Bench")
    .Does(() =>
{
    // The product's own figures, next to Intel ISA-L in the same run.
    StartProcess("bash", new ProcessSettings { Arguments = "benchmarks/codec-vs-isal.sh" });
});

RunTarget(target);
