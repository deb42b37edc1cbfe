using System.Text.Json;

namespace Granary.Chain.Json;

/// <summary>
/// One JSON object being read by a Lotus type's converter: typed access to its fields with errors that name the
/// type and field (<c>MinerInfo.Worker: 'x' is not an address</c>); the serializer adds the path.
/// </summary>
internal sealed class LotusObject : IDisposable
{
    private readonly JsonDocument? _document;
    private readonly JsonElement _root;
    private readonly string _type;
    private readonly JsonSerializerOptions _options;

    private LotusObject(JsonDocument? document, JsonElement root, string type, JsonSerializerOptions options)
    {
        _document = document;
        _root = root;
        _type = type;
        _options = options;
    }

    /// <summary>Reads the object at the reader (which must be at its start).</summary>
    public static LotusObject Read(ref Utf8JsonReader reader, string type, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"{type}: expected an object, got {Describe(reader.TokenType)}");
        }

        var document = JsonDocument.ParseValue(ref reader);
        return new LotusObject(document, document.RootElement, type, options);
    }

    /// <summary>Wraps an object element of a document the caller owns.</summary>
    public static LotusObject From(JsonElement element, string type, JsonSerializerOptions options) =>
        element.ValueKind == JsonValueKind.Object
            ? new LotusObject(null, element, type, options)
            : throw new JsonException($"{type}: expected an object, got {element.ValueKind}");

    /// <summary>A field that must be present and not null.</summary>
    public T Required<T>(string name)
    {
        if (!_root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            throw new JsonException($"{_type}: missing {name}");
        }

        return Convert<T>(name, element) ?? throw new JsonException($"{_type}: missing {name}");
    }

    /// <summary>A field that may be absent or null (then <c>default</c>).</summary>
    public T? Optional<T>(string name)
    {
        if (!_root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        return Convert<T>(name, element);
    }

    /// <summary>A list field; absent or null (Go's nil slice) is empty.</summary>
    public IReadOnlyList<T> List<T>(string name) => Optional<IReadOnlyList<T>>(name) ?? [];

    /// <summary>Whether the field is present and not null.</summary>
    public bool Has(string name) =>
        _root.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null;

    /// <summary>A field's raw element (present and not null).</summary>
    public JsonElement Element(string name) =>
        _root.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null
            ? element
            : throw new JsonException($"{_type}: missing {name}");

    /// <summary>An error about this object.</summary>
    public JsonException Error(string message) => new($"{_type}: {message}");

    /// <inheritdoc />
    public void Dispose() => _document?.Dispose();

    /// <summary>A token's name for messages.</summary>
    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        var other => other.ToString(),
    };

    private T? Convert<T>(string name, JsonElement element)
    {
        try
        {
            return element.Deserialize<T>(_options);
        }
        catch (JsonException e)
        {
            throw new JsonException($"{_type}.{name}: {WithoutPosition(e.Message)}", e);
        }
    }

    /// <summary>The message without the serializer's "Path: $ | LineNumber…" suffix relative to the field.</summary>
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
