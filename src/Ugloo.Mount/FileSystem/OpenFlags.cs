namespace Ugloo.Mount.FileSystem;

/// <summary>How a file is opened, in platform-neutral terms (the adapter maps O_* or CreateOptions).</summary>
[Flags]
internal enum OpenFlags
{
    None = 0,

    /// <summary>The handle may read.</summary>
    Read = 1,

    /// <summary>The handle may write.</summary>
    Write = 2,

    /// <summary>Every write goes to the current end of file.</summary>
    Append = 4,

    /// <summary>Truncate to zero length as part of the open (O_TRUNC; atomic with the open).</summary>
    Truncate = 8,

    /// <summary>On create: fail with <see cref="FileSystemError.Exists"/> if the name exists (O_EXCL).</summary>
    Exclusive = 16,

    ReadWrite = Read | Write,
}
