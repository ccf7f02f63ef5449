namespace Ugloo.Mount.FileSystem;

/// <summary>
/// A name resolved to a node: the node's attributes plus how long the platform may cache the name → node
/// binding (<paramref name="EntryTtl"/>). Every <see cref="EntryInfo"/> handed to the platform (lookup,
/// create, mkdir, mknod, symlink, link, and readdir-plus entries other than "." and "..") counts one
/// lookup reference on the node that the platform later returns through
/// <see cref="IFileSystem.ForgetAsync"/>. <paramref name="Generation"/> makes (node, generation) unique
/// over the filesystem's lifetime when node ids are reused; 0 when they never are.
/// </summary>
internal readonly record struct EntryInfo(NodeAttributes Attributes, TimeSpan EntryTtl, ulong Generation = 0)
{
    public ulong Node => Attributes.Node;
}
