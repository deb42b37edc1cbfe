using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Cids;

namespace Granary.Chain.Json;

/// <summary>A CID as Lotus (IPLD dag-json) writes it: <c>{"/": "bafy…"}</c>.</summary>
public sealed class CidJsonConverter : JsonConverter<Cid>
{
    /// <inheritdoc />
    public override Cid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a CID is {{\"/\": \"bafy…\"}}, got {LotusObject.Describe(reader.TokenType)}");
        }

        string? text = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("/") || text is not null)
            {
                throw new JsonException("a CID is {\"/\": \"bafy…\"} with no other keys");
            }

            reader.Read();
            if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > Cid.MaxLength)
            {
                throw new JsonException("a CID's \"/\" is its text (at most 2048 characters)");
            }

            text = reader.GetString();
        }

        if (text is null)
        {
            throw new JsonException("a CID is {\"/\": \"bafy…\"}: missing \"/\"");
        }

        try
        {
            return Cid.Parse(text);
        }
        catch (FormatException e)
        {
            throw new JsonException($"'{Shorten(text)}' is not a CID: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Cid value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("/", value.ToString());
        writer.WriteEndObject();
    }

    internal static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
