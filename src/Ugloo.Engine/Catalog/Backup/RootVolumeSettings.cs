namespace Ugloo.Engine.Catalog.Backup;

/// <summary>How the volume codes new files, carried in the root pointer so a recovered client writes as before.</summary>
public sealed record RootVolumeSettings(int DataFragments, int ParityFragments, int SegmentSize, int RequiredNodeLosses);
