namespace Ugloo.Mount.Tests.Cluster;

/// <summary>
/// Cluster tests run one at a time: each runs six or more node processes, and the machine has two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterTestGroup
{
    public const string Name = "cluster";
}
