using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Chain.Json;

/// <summary>A big integer (power, weights) as Lotus's <c>big.Int</c>: a decimal string, <c>"-12"</c>, <c>"0"</c>.</summary>
public sealed class BigIntegerJsonConverter : JsonConverter<BigInteger>
{
    /// <summary>Most digits read (Lotus limits big integers to 128 bytes, about 309 digits).</summary>
    public const int MaxDigits = 320;

    /// <inheritdoc />
    public override BigInteger Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReadDecimal(ref reader, "a big integer");

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, BigInteger value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));

    internal static BigInteger ReadDecimal(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"{what} is a decimal string such as \"1000\", got {LotusObject.Describe(reader.TokenType)}");
        }

        if (reader.ValueSpan.Length > MaxDigits + 1)
        {
            throw new JsonException($"{what} has more than {MaxDigits} digits");
        }

        var text = reader.GetString()!;
        var digits = text.StartsWith('-') ? text.AsSpan(1) : text.AsSpan();
        if (digits.IsEmpty || !digits.ContainsOnlyDigits())
        {
            throw new JsonException($"'{CidJsonConverter.Shorten(text)}' is not {what}: expected decimal digits");
        }

        return BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}

internal static class DigitSpans
{
    public static bool ContainsOnlyDigits(this ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
