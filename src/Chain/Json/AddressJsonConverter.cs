using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Addresses;

namespace Granary.Chain.Json;

/// <summary>
/// An address as its text. Reads either network prefix (<c>f…</c> or <c>t…</c>, as go-address does); writes
/// <paramref name="network"/>'s.
/// </summary>
/// <param name="network"><c>f</c> (mainnet) or <c>t</c> (test networks, Lotus's 2k devnet).</param>
public sealed class AddressJsonConverter(char network) : JsonConverter<Address>
{
    /// <summary>The prefix written.</summary>
    public char Network { get; } = network;

    /// <inheritdoc />
    public override Address Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > 256)
        {
            throw new JsonException($"an address is a string such as \"t01000\", got {LotusObject.Describe(reader.TokenType)}");
        }

        var text = reader.GetString()!;
        try
        {
            return Address.Parse(text);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(Network));
}
