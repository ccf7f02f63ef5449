using BenchmarkDotNet.Running;
using Ugloo.Benchmarks.Codec;

if (args is ["codec-json", .. string[] rest])
{
    // Quick ISA-L-shaped codec figures (see CodecThroughputRun); everything else goes to BenchmarkDotNet.
    CodecThroughputRun.Run(rest);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
