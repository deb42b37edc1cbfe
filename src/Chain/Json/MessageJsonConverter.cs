using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Json;

/// <summary>
/// A message as Lotus's <c>types.Message</c>: <c>Version, To, From, Nonce, Value, GasLimit, GasFeeCap, GasPremium,
/// Method, Params</c> (base64), and on output its <c>CID</c> as Lotus adds it. An input <c>CID</c> is ignored, as
/// Lotus ignores it: the CID is always that of the fields.
/// </summary>
public sealed class MessageJsonConverter : JsonConverter<Message>
{
    /// <inheritdoc />
    public override Message Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "Message", options);
        var parameters = o.Optional<byte[]>("Params") ?? [];
        if (parameters.Length > Message.MaxParamsBytes)
        {
            throw o.Error($"Params are longer than {Message.MaxParamsBytes} bytes");
        }

        return new Message(
            o.Optional<ulong>("Version"), o.Required<Address>("To"), o.Required<Address>("From"), o.Optional<ulong>("Nonce"),
            o.Optional<TokenAmount>("Value"), o.Optional<long>("GasLimit"), o.Optional<TokenAmount>("GasFeeCap"),
            o.Optional<TokenAmount>("GasPremium"), o.Optional<ulong>("Method"), parameters);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Message value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        WriteFields(writer, value, options);
        writer.WritePropertyName("CID");
        JsonSerializer.Serialize(writer, value.Cid(), options);
        writer.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter writer, Message value, JsonSerializerOptions options)
    {
        writer.WriteNumber("Version", value.Version);
        writer.WritePropertyName("To");
        JsonSerializer.Serialize(writer, value.To, options);
        writer.WritePropertyName("From");
        JsonSerializer.Serialize(writer, value.From, options);
        writer.WriteNumber("Nonce", value.Nonce);
        writer.WritePropertyName("Value");
        JsonSerializer.Serialize(writer, value.Value, options);
        writer.WriteNumber("GasLimit", value.GasLimit);
        writer.WritePropertyName("GasFeeCap");
        JsonSerializer.Serialize(writer, value.GasFeeCap, options);
        writer.WritePropertyName("GasPremium");
        JsonSerializer.Serialize(writer, value.GasPremium, options);
        writer.WriteNumber("Method", value.Method);
        writer.WriteBase64String("Params", value.Params);
    }
}
