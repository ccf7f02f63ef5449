using System.Globalization;

namespace Ugloo.Mount.Volume;

/// <summary>Durability in words, the way the summary and <c>ugloo status</c> say it.</summary>
internal static class Words
{
    /// <summary>"any 2 node losses", "any 1 node loss", "no node loss".</summary>
    public static string NodeLosses(int losses) => losses switch
    {
        <= 0 => "no node loss",
        1 => "any 1 node loss",
        _ => string.Create(CultureInfo.InvariantCulture, $"any {losses} node losses"),
    };

    /// <summary>"any 2 nodes", "any 1 node", "no node" (as in "can lose ...").</summary>
    public static string AnyNodes(int count) => count switch
    {
        <= 0 => "no node",
        1 => "any 1 node",
        _ => string.Create(CultureInfo.InvariantCulture, $"any {count} nodes"),
    };

    public static string Plural(long count, string singular, string plural) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? singular : plural)}");
}
