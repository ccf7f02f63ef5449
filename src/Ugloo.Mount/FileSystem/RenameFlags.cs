namespace Ugloo.Mount.FileSystem;

/// <summary>renameat2(2) flags; a filesystem that cannot honour one throws <see cref="FileSystemError.InvalidArgument"/>.</summary>
[Flags]
internal enum RenameFlags
{
    None = 0,

    /// <summary>Fail with <see cref="FileSystemError.Exists"/> instead of replacing the target.</summary>
    NoReplace = 1,

    /// <summary>Swap source and target atomically; both must exist.</summary>
    Exchange = 2,
}
