using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Json;

/// <summary>A signature as Lotus's <c>crypto.Signature</c>: <c>{"Type": 1, "Data": base64}</c> (1 secp256k1, 2 BLS, 3 delegated).</summary>
public sealed class SignatureJsonConverter : JsonConverter<Signature>
{
    /// <summary>Longest signature data read.</summary>
    public const int MaxDataBytes = 256;

    /// <inheritdoc />
    public override Signature Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "Signature", options);
        var type = o.Required<int>("Type");
        if (type is < 1 or > 3)
        {
            throw o.Error($"unknown signature type {type} (1 secp256k1, 2 BLS, 3 delegated)");
        }

        var data = o.Optional<byte[]>("Data") ?? [];
        return data.Length <= MaxDataBytes ? new Signature((SignatureType)type, data) : throw o.Error($"Data is longer than {MaxDataBytes} bytes");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Signature value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("Type", (byte)value.Type);
        writer.WriteBase64String("Data", value.Data);
        writer.WriteEndObject();
    }
}
