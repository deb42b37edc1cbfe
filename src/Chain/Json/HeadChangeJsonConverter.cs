using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Json;

/// <summary>A head change as Lotus's <c>api.HeadChange</c>: <c>{"Type": "current"|"apply"|"revert", "Val": tipset}</c>.</summary>
public sealed class HeadChangeJsonConverter : JsonConverter<HeadChange>
{
    /// <inheritdoc />
    public override HeadChange Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "HeadChange", options);
        var type = o.Required<string>("Type") switch
        {
            "current" => HeadChangeType.Current,
            "apply" => HeadChangeType.Apply,
            "revert" => HeadChangeType.Revert,
            var other => throw o.Error($"Type '{CidJsonConverter.Shorten(other)}' is not current, apply or revert"),
        };
        return new HeadChange(type, o.Required<TipSet>("Val"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, HeadChange value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("Type", Name(value.Type));
        writer.WritePropertyName("Val");
        JsonSerializer.Serialize(writer, value.Value, options);
        writer.WriteEndObject();
    }

    /// <summary>Lotus's name of a head change type.</summary>
    public static string Name(HeadChangeType type) => type switch
    {
        HeadChangeType.Current => "current",
        HeadChangeType.Apply => "apply",
        HeadChangeType.Revert => "revert",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
