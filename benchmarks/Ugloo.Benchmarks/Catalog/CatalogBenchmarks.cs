using BenchmarkDotNet.Attributes;
using Ugloo.Engine.Catalog;

namespace Ugloo.Benchmarks.Catalog;

/// <summary>
/// The catalog statements the mount runs per file: a close's journal row (4 KiB in the row, one flush), the
/// recording of a pack's members, a lookup and an unlink, each per file on a catalog opened as the mount opens
/// it (<see cref="VolumeCatalog.RelaxNamespaceSync"/>), in a temp directory on the machine's disk.
/// Example: <c>dotnet run -c Release --project benchmarks/Ugloo.Benchmarks -- --filter *CatalogBenchmarks*</c>.
/// </summary>
[SimpleJob(invocationCount: 1, warmupCount: 2, iterationCount: 10)]
public class CatalogBenchmarks
{
    private const int Files = 1000;

    private static readonly CatalogAttributes s_attributes = new(0x1A4, 0, 0, 0);
    private static readonly byte[] s_content = new byte[4096];

    private string _directory = "";
    private VolumeCatalog _catalog = null!;
    private long[] _pending = [];
    private int _round;

    [GlobalSetup]
    public void Open()
    {
        _directory = Directory.CreateTempSubdirectory("ugloo-catalog-bench-").FullName;
        _catalog = VolumeCatalog.Open(Path.Combine(_directory, "catalog.db"));
        _catalog.RelaxNamespaceSync();
    }

    [GlobalCleanup]
    public void Close()
    {
        _catalog.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Every round works on names of its own.</summary>
    [IterationSetup(Target = nameof(QueueSmallFile))]
    public void NextRound() => _round++;

    /// <summary>The files of this round queued, as closes leave them for a pack.</summary>
    [IterationSetup(Target = nameof(RecordPackMember))]
    public void Queue()
    {
        _round++;
        _pending = [.. Enumerable.Range(0, Files).Select(i => _catalog.AddPending(Name(i), "/staged", s_content.Length, s_attributes, DateTimeOffset.UtcNow, s_content))];
    }

    /// <summary>The files of this round queued and recorded: live versions to look up and unlink.</summary>
    [IterationSetup(Targets = [nameof(Probe), nameof(Unlink)])]
    public void QueueAndRecord()
    {
        Queue();
        RecordPackMember();
    }

    [Benchmark(OperationsPerInvoke = Files)]
    public void QueueSmallFile()
    {
        for (int i = 0; i < Files; i++)
        {
            _catalog.AddPending(Name(i) + ".q", "/staged", s_content.Length, s_attributes, DateTimeOffset.UtcNow, s_content);
        }
    }

    [Benchmark(OperationsPerInvoke = Files)]
    public void RecordPackMember() =>
        _catalog.CompletePendingPacked([.. Enumerable.Range(0, Files).Select(i => new PackedCommit(_pending[i], (long)i * s_content.Length, s_content.Length, s_attributes))], new byte[234], new byte[60], DateTimeOffset.UtcNow);

    [Benchmark(OperationsPerInvoke = Files)]
    public void Probe()
    {
        for (int i = 0; i < Files; i++)
        {
            _catalog.Probe(Name(i));
        }
    }

    [Benchmark(OperationsPerInvoke = Files)]
    public void Unlink()
    {
        for (int i = 0; i < Files; i++)
        {
            _catalog.Unlink(Name(i), [], DateTimeOffset.UtcNow);
        }
    }

    private string Name(int i) => $"/d{_round}/f{i}";
}
