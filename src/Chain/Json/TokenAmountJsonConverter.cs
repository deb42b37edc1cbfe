using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Json;

/// <summary>An amount as Lotus's <c>abi.TokenAmount</c>: attoFIL as a decimal string (<c>"1000000000000000000"</c> is 1 FIL).</summary>
public sealed class TokenAmountJsonConverter : JsonConverter<TokenAmount>
{
    /// <inheritdoc />
    public override TokenAmount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        new(BigIntegerJsonConverter.ReadDecimal(ref reader, "an amount of attoFIL"));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TokenAmount value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.AttoFil.ToString(CultureInfo.InvariantCulture));
}
