namespace Ugloo.Mount.FileSystem;

/// <summary>The kind of a node (the S_IFMT part of a POSIX mode, kept apart from the permission bits).</summary>
internal enum NodeType
{
    File,
    Directory,
    Symlink,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
}
