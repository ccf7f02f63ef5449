namespace Ugloo.Mount.Tests.Fuse;

/// <summary>Mount tests run one at a time: each mounts, drives external tools and unmounts; the machine has few cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuseMountGroup
{
    public const string Name = "FUSE mounts";
}
