using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet.Mining;

// The miner state is persisted as JSON by whoever stores it, with whatever options they use; these converters
// are attached to the properties themselves so the stored form is the same either way: amounts as attoFIL
// decimal strings and CIDs as their base32 string.

/// <summary>A token amount as its attoFIL decimal string.</summary>
internal sealed class TokenAmountJsonConverter : JsonConverter<TokenAmount>
{
    // A bit more than the 128-byte big-endian limit of TokenAmount needs in decimal digits.
    private const int MaxDigits = 320;

    public override TokenAmount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("a token amount is a string of attoFIL");
        if (text is null || text.Length is 0 or > MaxDigits || !BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var atto))
        {
            throw new JsonException($"'{Truncate(text)}' is not an attoFIL amount");
        }

        return new TokenAmount(atto);
    }

    public override void Write(Utf8JsonWriter writer, TokenAmount value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.AttoFil.ToString(CultureInfo.InvariantCulture));

    internal static string Truncate(string? text) => text is null ? "null" : text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>A CID as its string form.</summary>
internal sealed class CidJsonConverter : JsonConverter<Cid>
{
    public override Cid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("a CID is a string");
        try
        {
            return Cid.Parse(text ?? "");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new JsonException($"'{TokenAmountJsonConverter.Truncate(text)}' is not a CID: {e.Message}", e);
        }
    }

    public override void Write(Utf8JsonWriter writer, Cid value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
