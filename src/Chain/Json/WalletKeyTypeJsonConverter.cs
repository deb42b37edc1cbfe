using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Chain.Model;

namespace Granary.Chain.Json;

/// <summary>
/// A wallet key type as Lotus's <c>types.KeyType</c>: <c>"secp256k1"</c> or <c>"bls"</c>; the deprecated numbers
/// 1 (secp256k1) and 2 (BLS) are read too, as Lotus still accepts them. <c>"secp256k1-ledger"</c> is refused:
/// there is no ledger here.
/// </summary>
public sealed class WalletKeyTypeJsonConverter : JsonConverter<WalletKeyType>
{
    /// <inheritdoc />
    public override WalletKeyType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number))
        {
            return number switch
            {
                1 => WalletKeyType.Secp256k1,
                2 => WalletKeyType.Bls,
                _ => throw new JsonException($"key type {number} is not 1 (secp256k1) or 2 (bls)"),
            };
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a key type is \"secp256k1\" or \"bls\", got {LotusObject.Describe(reader.TokenType)}");
        }

        return reader.GetString() switch
        {
            "secp256k1" => WalletKeyType.Secp256k1,
            "bls" => WalletKeyType.Bls,
            var other => throw new JsonException($"key type '{CidJsonConverter.Shorten(other ?? "")}' is not supported (secp256k1 or bls)"),
        };
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, WalletKeyType value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value switch
        {
            WalletKeyType.Secp256k1 => "secp256k1",
            WalletKeyType.Bls => "bls",
            _ => throw new JsonException($"unknown key type {value}"),
        });
}
