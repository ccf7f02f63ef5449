using System.Text;
using Ugloo.Mount.FileSystem;

namespace Ugloo.Mount.Fuse;

/// <summary>The session as the filesystem's <see cref="IKernelCache"/>: notifications written to /dev/fuse.</summary>
internal sealed partial class FuseSession : IKernelCache
{
    public void InvalidateEntry(ulong parent, string name) =>
        Notify(new FuseNotifyInvalEntryOut(parent, Encoding.UTF8.GetBytes(name)).ToMessage(), "INVAL_ENTRY");

    // A negative offset drops attributes only: the pages of the file stay (they are checked against the version
    // at the next open).
    public void InvalidateAttributes(ulong node) => InvalidateContent(node, -1, 0);

    public void InvalidateContent(ulong node, long offset, long length) =>
        Notify(new FuseNotifyInvalInodeOut(node, offset, length).ToMessage(), "INVAL_INODE");

    /// <summary>
    /// One notification in one write(2). The kernel answers ENOENT when it holds no such inode or name (nothing
    /// to drop), and ENODEV or ENOTCONN once the mount is gone: neither is a failure.
    /// </summary>
    private void Notify(byte[] message, string what)
    {
        int error = WriteToDevice(message, message.Length);
        if (error is not 0 and not FuseErrno.ENOENT and not FuseErrno.ENODEV and not FuseErrno.ENOTCONN)
        {
            Log.FuseNotifyFailed(_logger, what, error);
        }
    }
}
