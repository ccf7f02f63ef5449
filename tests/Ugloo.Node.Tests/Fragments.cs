using Ugloo.Engine.Objects;

namespace Ugloo.Node.Tests;

/// <summary>Random fragments and where a node keeps them on disk.</summary>
internal static class Fragments
{
    public static (FragmentId Id, byte[] Bytes) Random(int length)
    {
        byte[] bytes = new byte[length];
        System.Random.Shared.NextBytes(bytes);
        return (FragmentId.Compute(bytes), bytes);
    }

    /// <summary>The file of a held fragment in whichever data directory holds it, or null (layout of DataDirectory).</summary>
    public static string? FindFile(NodeProcess node, FragmentId id)
    {
        string hex = id.ToString();
        foreach (string directory in node.DataDirectories)
        {
            string path = Path.Combine(directory, "fragments", hex[..2], hex[2..4], hex);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>Files anywhere under the data directories' tmp/ folders (unfinished writes).</summary>
    public static int CountTempFiles(NodeProcess node) =>
        node.DataDirectories.Sum(d => Directory.Exists(Path.Combine(d, "tmp")) ? Directory.GetFiles(Path.Combine(d, "tmp")).Length : 0);
}
