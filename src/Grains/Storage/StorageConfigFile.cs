using System.Text.Json;

namespace Granary.Grains.Storage;

/// <summary>
/// <c>REPO/storage.json</c>: the storage paths this silo has attached, in lotus's format
/// <c>{"StoragePaths":[{"Path":"/mnt/seal"}]}</c>. Read strictly (unknown fields, relative or repeated paths are
/// refused) and written atomically.
/// </summary>
public static class StorageConfigFile
{
    /// <summary>The file name inside the repo.</summary>
    public const string FileName = "storage.json";

    /// <summary>Files larger than this are refused before parsing.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Most paths one silo may attach.</summary>
    public const int MaxPaths = 4096;

    /// <summary>Reads the attached paths; a missing file means none.</summary>
    /// <exception cref="SectorStorageException">Unreadable or invalid, with the file named.</exception>
    public static IReadOnlyList<string> Read(string file)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                return [];
            }

            if (info.Length > MaxFileBytes)
            {
                throw new SectorStorageException($"{file} is {info.Length} bytes; the limit is {MaxFileBytes}");
            }

            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SectorStorageException($"{file}: cannot read ({e.Message})", e);
        }

        return Parse(bytes, file);
    }

    /// <summary>Parses storage.json text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SectorStorageException">Invalid.</exception>
    public static IReadOnlyList<string> Parse(ReadOnlySpan<byte> json, string source = FileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new SectorStorageException($"{source} is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SectorStorageException($"{source}: expected {{\"StoragePaths\":[{{\"Path\":\"...\"}}]}}");
            }

            JsonElement? list = null;
            foreach (var property in root.EnumerateObject())
            {
                if (!string.Equals(property.Name, "StoragePaths", StringComparison.OrdinalIgnoreCase))
                {
                    throw new SectorStorageException($"{source}: unknown field \"{property.Name}\" (storage.json has StoragePaths)");
                }

                if (list is not null)
                {
                    throw new SectorStorageException($"{source}: field \"StoragePaths\" appears twice");
                }

                list = property.Value;
            }

            if (list is not { } items || items.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            if (items.ValueKind != JsonValueKind.Array || items.GetArrayLength() > MaxPaths)
            {
                throw new SectorStorageException($"{source}: \"StoragePaths\" must be a list of at most {MaxPaths} {{\"Path\":\"...\"}} entries");
            }

            var paths = new List<string>();
            foreach (var item in items.EnumerateArray())
            {
                var path = item.ValueKind == JsonValueKind.Object && item.EnumerateObject().ToList() is [var only]
                    && string.Equals(only.Name, "Path", StringComparison.OrdinalIgnoreCase) && only.Value.ValueKind == JsonValueKind.String
                    ? only.Value.GetString()!
                    : throw new SectorStorageException($"{source}: each StoragePaths entry must be {{\"Path\":\"/absolute/path\"}}, found {Clip(item.GetRawText())}");
                if (!Path.IsPathFullyQualified(path) || path.Length > 4096)
                {
                    throw new SectorStorageException($"{source}: \"{Clip(path)}\" is not an absolute path");
                }

                if (paths.Contains(path, StringComparer.Ordinal))
                {
                    throw new SectorStorageException($"{source}: {path} is listed twice");
                }

                paths.Add(path);
            }

            return paths;
        }
    }

    /// <summary>Writes the attached paths atomically.</summary>
    /// <exception cref="SectorStorageException">The file cannot be written.</exception>
    public static void Write(string file, IEnumerable<string> paths)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(
            new { StoragePaths = paths.Select(p => new { Path = p }).ToArray() },
            new JsonSerializerOptions { WriteIndented = true });
        AtomicText.Write(file, [.. json, (byte)'\n']);
    }

    private static string Clip(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "...");
}
