using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Granary.Grains.Storage;

/// <summary>
/// A storage path's <c>sectorstore.json</c>, in lotus's format (<c>LocalStorageMeta</c>):
/// <c>{"ID":"uuid","Weight":10,"CanSeal":true,"CanStore":false,"MaxStorage":0,"Groups":[],"AllowTo":[],
/// "AllowTypes":[],"DenyTypes":[],"AllowMiners":[],"DenyMiners":[]}</c>. Reading is strict: unknown or repeated
/// fields, wrong types, oversized files and lists are refused with the file and field named. Field names match
/// case-insensitively, as Go's decoder (and so lotus) reads them.
/// </summary>
[GenerateSerializer, Immutable, Alias("granary.StoragePathConfig")]
public sealed record StoragePathConfig(
    [property: Id(0)] string Id,
    [property: Id(1)] ulong Weight,
    [property: Id(2)] bool CanSeal,
    [property: Id(3)] bool CanStore,
    [property: Id(4)] ulong MaxStorage,
    IReadOnlyList<string> Groups,
    IReadOnlyList<string> AllowTo,
    IReadOnlyList<string> AllowTypes,
    IReadOnlyList<string> DenyTypes,
    IReadOnlyList<string> AllowMiners,
    IReadOnlyList<string> DenyMiners)
{
    // Lists are kept as plain arrays: the grain storage's JSON serializer writes each value's concrete type,
    // and only well-known types (not the compiler's collection-expression types) may be read back.

    /// <summary>Storage groups this path belongs to.</summary>
    [Id(5)] public IReadOnlyList<string> Groups { get; init => field = value.ToArray(); } = Groups.ToArray();

    /// <summary>Groups that data from this path may be moved to (all when empty).</summary>
    [Id(6)] public IReadOnlyList<string> AllowTo { get; init => field = value.ToArray(); } = AllowTo.ToArray();

    /// <summary>File types allowed here (all when empty): unsealed, sealed, cache, update, update-cache, piece.</summary>
    [Id(7)] public IReadOnlyList<string> AllowTypes { get; init => field = value.ToArray(); } = AllowTypes.ToArray();

    /// <summary>File types refused here.</summary>
    [Id(8)] public IReadOnlyList<string> DenyTypes { get; init => field = value.ToArray(); } = DenyTypes.ToArray();

    /// <summary>Miners (ID addresses such as f01000) whose sectors are allowed here (all when empty).</summary>
    [Id(9)] public IReadOnlyList<string> AllowMiners { get; init => field = value.ToArray(); } = AllowMiners.ToArray();

    /// <summary>Miners whose sectors are refused here.</summary>
    [Id(10)] public IReadOnlyList<string> DenyMiners { get; init => field = value.ToArray(); } = DenyMiners.ToArray();

    /// <summary>The file name inside a storage path (lotus's <c>MetaFile</c>).</summary>
    public const string FileName = "sectorstore.json";

    /// <summary>Files larger than this are refused before parsing.</summary>
    public const int MaxFileBytes = 64 << 10;

    /// <summary>Most entries in any one list.</summary>
    public const int MaxListEntries = 256;

    /// <summary>Longest accepted string (an ID, a group name, a miner address).</summary>
    public const int MaxStringLength = 256;

    /// <summary>lotus's default weight for <c>storage attach --init</c>.</summary>
    public const ulong DefaultWeight = 10;

    // lotus's file type names; ones Granary doesn't lay out ("update", "piece") are accepted and match nothing.
    private static readonly string[] KnownTypeNames = ["unsealed", "sealed", "cache", "update", "update-cache", "piece"];

    private static readonly string[] FieldNames =
        ["ID", "Weight", "CanSeal", "CanStore", "MaxStorage", "Groups", "AllowTo", "AllowTypes", "DenyTypes", "AllowMiners", "DenyMiners"];

    /// <summary>A new path's config with a fresh UUID, as <c>storage attach --init</c> writes it.</summary>
    /// <exception cref="SectorStorageException">Neither seal nor store, or an invalid group name.</exception>
    public static StoragePathConfig Create(ulong weight, bool canSeal, bool canStore, ulong maxStorage,
        IReadOnlyList<string>? groups = null, IReadOnlyList<string>? allowTo = null)
    {
        if (!canSeal && !canStore)
        {
            throw new SectorStorageException("a storage path must allow sealing (--seal), long-term storage (--store) or both");
        }

        var config = new StoragePathConfig(Guid.NewGuid().ToString(), weight, canSeal, canStore, maxStorage,
            groups ?? [], allowTo ?? [], [], [], [], []);
        config.Validate("new sectorstore.json");
        return config;
    }

    /// <summary>What the path is used for, as lotus prints it: <c>seal</c>, <c>store</c>, <c>seal,store</c> or <c>read-only</c>.</summary>
    public string Use => (CanSeal, CanStore) switch
    {
        (true, true) => "seal,store",
        (true, false) => "seal",
        (false, true) => "store",
        _ => "read-only",
    };

    /// <summary>Whether <paramref name="pathType"/> may use this path (sealing needs CanSeal, storage CanStore).</summary>
    public bool Serves(PathType pathType) => pathType == PathType.Sealing ? CanSeal : CanStore;

    /// <summary>Whether files of <paramref name="type"/> may be put here (lotus's AllowTypes/DenyTypes rule).</summary>
    public bool Allows(SectorFileType type) =>
        (AllowTypes.Count == 0 || AllowTypes.Contains(type.Name(), StringComparer.Ordinal))
        && !DenyTypes.Contains(type.Name(), StringComparer.Ordinal);

    /// <summary>Whether sectors of <paramref name="miner"/> may be put here (lotus's AllowMiners/DenyMiners rule).</summary>
    public bool AllowsMiner(ulong miner) =>
        (AllowMiners.Count == 0 || AllowMiners.Any(m => MinerId(m) == miner)) && !DenyMiners.Any(m => MinerId(m) == miner);

    /// <summary>Reads <c>DIRECTORY/sectorstore.json</c>.</summary>
    /// <exception cref="SectorStorageException">Missing, too large, unreadable or invalid, with the file named.</exception>
    public static StoragePathConfig Read(string directory)
    {
        var file = Path.Combine(directory, FileName);
        byte[] bytes;
        try
        {
            var info = new FileInfo(file);
            if (!info.Exists)
            {
                throw new SectorStorageException($"{file} does not exist: {directory} is not a storage path "
                    + "(initialize it with `granary storage attach --init --seal|--store`)");
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

    /// <summary>Parses sectorstore.json text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SectorStorageException">Invalid, with the field named.</exception>
    public static StoragePathConfig Parse(ReadOnlySpan<byte> json, string source = FileName)
    {
        if (json.Length > MaxFileBytes)
        {
            throw new SectorStorageException($"{source} is {json.Length} bytes; the limit is {MaxFileBytes}");
        }

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
                throw new SectorStorageException($"{source}: expected a JSON object, found {root.ValueKind}");
            }

            var seen = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                var name = FieldNames.FirstOrDefault(f => string.Equals(f, property.Name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new SectorStorageException($"{source}: unknown field \"{Clip(property.Name)}\" "
                        + $"(sectorstore.json has {string.Join(", ", FieldNames)})");
                if (!seen.TryAdd(name, property.Value))
                {
                    throw new SectorStorageException($"{source}: field \"{name}\" appears twice");
                }
            }

            var config = new StoragePathConfig(
                seen.TryGetValue("ID", out var id) ? Text(id, source, "ID") : throw new SectorStorageException($"{source}: the \"ID\" field is missing"),
                UInt(seen, "Weight", source),
                Bool(seen, "CanSeal", source),
                Bool(seen, "CanStore", source),
                UInt(seen, "MaxStorage", source),
                List(seen, "Groups", source),
                List(seen, "AllowTo", source),
                List(seen, "AllowTypes", source),
                List(seen, "DenyTypes", source),
                List(seen, "AllowMiners", source),
                List(seen, "DenyMiners", source));
            config.Validate(source);
            return config;
        }
    }

    /// <summary>The JSON lotus writes (indented, every field, lists as <c>[]</c> when empty).</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("ID", Id);
            writer.WriteNumber("Weight", Weight);
            writer.WriteBoolean("CanSeal", CanSeal);
            writer.WriteBoolean("CanStore", CanStore);
            writer.WriteNumber("MaxStorage", MaxStorage);
            foreach (var (name, values) in new[]
            {
                ("Groups", Groups), ("AllowTo", AllowTo), ("AllowTypes", AllowTypes),
                ("DenyTypes", DenyTypes), ("AllowMiners", AllowMiners), ("DenyMiners", DenyMiners),
            })
            {
                writer.WriteStartArray(name);
                foreach (var value in values)
                {
                    writer.WriteStringValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// Writes <c>DIRECTORY/sectorstore.json</c> atomically (temp file, flush, rename), so a crash never leaves
    /// a half-written file that would make the path unreadable.
    /// </summary>
    public void Write(string directory) => AtomicText.Write(Path.Combine(directory, FileName), ToJson());

    /// <summary>The actor id of a miner address such as <c>f01000</c> or <c>t01000</c>.</summary>
    internal static ulong? MinerId(string address) =>
        address.Length > 2 && address[0] is 'f' or 't' && address[1] == '0'
        && ulong.TryParse(address.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id : null;

    private void Validate(string source)
    {
        if (Id.Length is 0 or > 128 || !Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new SectorStorageException($"{source}: \"ID\" must be 1-128 letters, digits, '-' or '_' (a UUID), not \"{Clip(Id)}\"");
        }

        foreach (var (name, values) in new[] { ("Groups", Groups), ("AllowTo", AllowTo) })
        {
            if (values.FirstOrDefault(v => v.Length == 0 || v.Any(char.IsControl)) is { } bad)
            {
                throw new SectorStorageException($"{source}: \"{name}\" holds an empty or unprintable group name \"{Clip(bad)}\"");
            }
        }

        foreach (var (name, values) in new[] { ("AllowTypes", AllowTypes), ("DenyTypes", DenyTypes) })
        {
            if (values.FirstOrDefault(v => !KnownTypeNames.Contains(v, StringComparer.Ordinal)) is { } bad)
            {
                throw new SectorStorageException($"{source}: \"{name}\" holds \"{Clip(bad)}\", not a sector file type ({string.Join(", ", KnownTypeNames)})");
            }
        }

        foreach (var (name, values) in new[] { ("AllowMiners", AllowMiners), ("DenyMiners", DenyMiners) })
        {
            if (values.FirstOrDefault(v => MinerId(v) is null) is { } bad)
            {
                throw new SectorStorageException($"{source}: \"{name}\" holds \"{Clip(bad)}\", not a miner ID address such as f01000");
            }
        }
    }

    private static string Text(JsonElement value, string source, string field)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new SectorStorageException($"{source}: \"{field}\" must be a string, found {value.ValueKind}");
        }

        var text = value.GetString()!;
        return text.Length <= MaxStringLength ? text
            : throw new SectorStorageException($"{source}: a string in \"{field}\" is {text.Length} characters; the limit is {MaxStringLength}");
    }

    private static ulong UInt(Dictionary<string, JsonElement> fields, string field, string source)
    {
        if (!fields.TryGetValue(field, out var value))
        {
            return 0;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number) ? number
            : throw new SectorStorageException($"{source}: \"{field}\" must be a whole number from 0 to {ulong.MaxValue}, found {Describe(value)}");
    }

    private static bool Bool(Dictionary<string, JsonElement> fields, string field, string source)
    {
        if (!fields.TryGetValue(field, out var value))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new SectorStorageException($"{source}: \"{field}\" must be true or false, found {Describe(value)}"),
        };
    }

    private static IReadOnlyList<string> List(Dictionary<string, JsonElement> fields, string field, string source)
    {
        if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new SectorStorageException($"{source}: \"{field}\" must be a list of strings, found {Describe(value)}");
        }

        if (value.GetArrayLength() > MaxListEntries)
        {
            throw new SectorStorageException($"{source}: \"{field}\" has {value.GetArrayLength()} entries; the limit is {MaxListEntries}");
        }

        return [.. value.EnumerateArray().Select(v => Text(v, source, field))];
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Clip(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Clip(value.GetRawText())}",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };

    // Error messages quote input; keep hostile input from flooding logs.
    private static string Clip(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "...");

    /// <inheritdoc />
    public bool Equals(StoragePathConfig? other) => other is not null
        && Id == other.Id && Weight == other.Weight && CanSeal == other.CanSeal && CanStore == other.CanStore
        && MaxStorage == other.MaxStorage && Groups.SequenceEqual(other.Groups) && AllowTo.SequenceEqual(other.AllowTo)
        && AllowTypes.SequenceEqual(other.AllowTypes) && DenyTypes.SequenceEqual(other.DenyTypes)
        && AllowMiners.SequenceEqual(other.AllowMiners) && DenyMiners.SequenceEqual(other.DenyMiners);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Id, Weight, CanSeal, CanStore, MaxStorage);

    /// <inheritdoc />
    public override string ToString() => Encoding.UTF8.GetString(ToJson()).TrimEnd();
}
