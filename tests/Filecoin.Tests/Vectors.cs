namespace Granary.Filecoin.Tests;

/// <summary>Reads the copied reference vectors next to the test assembly.</summary>
internal static class Vectors
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "vectors", name);

    /// <summary>Rows of a comma-separated file, without a header line if it has one.</summary>
    public static IEnumerable<string[]> Rows(string name) =>
        File.ReadLines(Path(name)).Where(l => l.Length > 0 && char.IsDigit(l[0])).Select(l => l.Split(','));
}
