namespace Ugloo.Mount.Volume;

/// <summary>
/// Where a volume's data directory is: <c>--data DIR</c>, else <c>$UGLOO_DATA</c>, else
/// <c>$XDG_DATA_HOME/ugloo</c>, else <c>~/.local/share/ugloo</c> (the XDG base directory default).
/// </summary>
internal static class DataDirectoryLocator
{
    public static string Resolve(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return Path.GetFullPath(option);
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable("UGLOO_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "ugloo");
        }

        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "ugloo");
    }
}
