namespace Ugloo.Mount.FileSystem;

/// <summary>The node a create made (counting one lookup reference) and the handle opened on it.</summary>
internal readonly record struct CreateResult(EntryInfo Entry, OpenResult Open);
