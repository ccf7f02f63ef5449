namespace Ugloo.Mount.FileSystem;

/// <summary>
/// The one way an <see cref="IFileSystem"/> reports an expected failure: it carries the
/// <see cref="FileSystemError"/> the adapter turns into an errno/NTSTATUS. Any other exception escaping a
/// filesystem method is a bug or a backing-store failure and is answered as <see cref="FileSystemError.IOError"/>
/// (and logged); <see cref="OperationCanceledException"/> from the request's token is answered as interrupted.
/// </summary>
internal sealed class FileSystemException : Exception
{
    public FileSystemException(FileSystemError error)
        : base(error.ToString())
    {
        Error = error;
    }

    public FileSystemException(FileSystemError error, string message)
        : base(message)
    {
        Error = error;
    }

    public FileSystemException()
        : this(FileSystemError.IOError)
    {
    }

    public FileSystemException(string message)
        : this(FileSystemError.IOError, message)
    {
    }

    public FileSystemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = FileSystemError.IOError;
    }

    public FileSystemError Error { get; }
}
