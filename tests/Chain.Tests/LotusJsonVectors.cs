using System.Text.Json;
using System.Text.Json.Nodes;

namespace Granary.Chain.Tests;

/// <summary>The Lotus API examples in tests/vectors/lotus (see its README): independent Lotus output.</summary>
internal static class LotusJsonVectors
{
    public static IEnumerable<string> Methods => Directory.EnumerateFiles(Folder, "*.json").Select(Path.GetFileNameWithoutExtension).Order()!;

    public static JsonElement Inputs(string method) => Load(method).GetProperty("inputs");

    public static JsonElement Response(string method) => Load(method).GetProperty("response");

    public static string Permission(string method) => Load(method).GetProperty("perm").GetString()!;

    /// <summary>A response as a mutable node, to compare with what Granary writes.</summary>
    public static JsonNode ResponseNode(string method) => JsonNode.Parse(Response(method).GetRawText())!;

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Orleans.sln not found above the test assembly");
    }

    private static string Folder => Path.Combine(RepoRoot(), "tests", "vectors", "lotus");

    private static JsonElement Load(string method) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, method + ".json"))).RootElement;
}
