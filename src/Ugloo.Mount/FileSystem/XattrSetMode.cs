namespace Ugloo.Mount.FileSystem;

/// <summary>setxattr(2) flags XATTR_CREATE / XATTR_REPLACE.</summary>
internal enum XattrSetMode
{
    /// <summary>Create or replace.</summary>
    Any = 0,

    /// <summary>Fail with <see cref="FileSystemError.Exists"/> if the attribute exists.</summary>
    Create = 1,

    /// <summary>Fail with <see cref="FileSystemError.NoData"/> if the attribute does not exist.</summary>
    Replace = 2,
}
