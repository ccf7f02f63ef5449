using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Ugloo.Engine.Codec;

namespace Ugloo.Benchmarks.Codec;

/// <summary>
/// Single-thread encode and decode per kernel path. The GB/s column counts the k data fragments, as
/// ISA-L's reference tool (<c>../shared/anchors/isal-ec</c>) does, so the two compare directly; decode
/// loses the first min(m, k) data fragments and rebuilds them from the next k, like that tool.
/// Example: <c>dotnet run -c Release --project benchmarks/Ugloo.Benchmarks -- --filter *ReedSolomon*</c>.
/// </summary>
[Config(typeof(ThroughputConfig))]
public class ReedSolomonBenchmarks
{
    private ReedSolomon _codec = null!;
    private ReadOnlyMemory<byte>[] _data = [];
    private Memory<byte>[] _parity = [];
    private int[] _survivorIndices = [];
    private ReadOnlyMemory<byte>[] _survivors = [];
    private int[] _lostIndices = [];
    private Memory<byte>[] _rebuilt = [];

    [ParamsSource(nameof(Paths))]
    public CodecPath Path { get; set; }

    [Params("10+4", "64+16")]
    public string Code { get; set; } = "10+4";

    [Params(64 * 1024, 1024 * 1024)]
    public int FragmentBytes { get; set; }

    public static IEnumerable<CodecPath> Paths => CodecPaths.Supported.Where(p => p != CodecPath.Scalar);

    public int DataCount => int.Parse(Code.Split('+')[0], System.Globalization.CultureInfo.InvariantCulture);

    public int ParityCount => int.Parse(Code.Split('+')[1], System.Globalization.CultureInfo.InvariantCulture);

    [GlobalSetup]
    public void Setup()
    {
        int k = DataCount, m = ParityCount;
        var random = new Random(42);
        byte[][] fragments = new byte[k + m][];
        for (int i = 0; i < fragments.Length; i++)
        {
            fragments[i] = new byte[FragmentBytes];
            random.NextBytes(fragments[i]);
        }

        _codec = new ReedSolomon(k, m, Path);
        _data = [.. fragments[..k].Select(f => (ReadOnlyMemory<byte>)f)];
        _parity = [.. fragments[k..].Select(f => (Memory<byte>)f)];
        _codec.Encode(_data, _parity);

        int lost = Math.Min(k, m);
        _lostIndices = [.. Enumerable.Range(0, lost)];
        _survivorIndices = [.. Enumerable.Range(lost, k)];
        _survivors = [.. _survivorIndices.Select(i => (ReadOnlyMemory<byte>)fragments[i])];
        _rebuilt = [.. _lostIndices.Select(_ => (Memory<byte>)new byte[FragmentBytes])];
    }

    [Benchmark]
    public void Encode() => _codec.Encode(_data, _parity);

    [Benchmark]
    public void Decode() => _codec.Reconstruct(_survivorIndices, _survivors, _lostIndices, _rebuilt);

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddColumn(new DataThroughputColumn());
        }
    }

    /// <summary>k x fragment bytes per operation over the mean time, in GB/s (10^9 bytes).</summary>
    private sealed class DataThroughputColumn : IColumn
    {
        public string Id => nameof(DataThroughputColumn);

        public string ColumnName => "GB/s (data)";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "k data fragments x fragment bytes per operation / mean time, 10^9 bytes per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            if (report?.ResultStatistics is null)
            {
                return "-";
            }

            string code = (string)benchmarkCase.Parameters["Code"];
            int k = int.Parse(code.Split('+')[0], System.Globalization.CultureInfo.InvariantCulture);
            int bytes = (int)benchmarkCase.Parameters["FragmentBytes"];
            double seconds = report.ResultStatistics.Mean / 1e9;
            return (k * (double)bytes / seconds / 1e9).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
