using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Chain.Json;

/// <summary>Bytes as Go's <c>[]byte</c> in JSON: standard base64; <c>null</c> (Go's nil slice) reads as empty.</summary>
public sealed class BytesJsonConverter : JsonConverter<byte[]>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override byte[] Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return [];
            case JsonTokenType.String when reader.TryGetBytesFromBase64(out var bytes):
                return bytes;
            case JsonTokenType.String:
                throw new JsonException("bytes are a base64 string: not valid base64");
            default:
                throw new JsonException($"bytes are a base64 string, got {LotusObject.Describe(reader.TokenType)}");
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value);
}
