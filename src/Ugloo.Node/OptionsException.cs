namespace Ugloo.Node;

/// <summary>A configuration mistake: reported in one line at start-up, exit code 2.</summary>
internal sealed class OptionsException : Exception
{
    public OptionsException(string message)
        : base(message)
    {
    }

    public OptionsException()
    {
    }

    public OptionsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
