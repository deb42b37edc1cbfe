using System.Text.Json;
using System.Text.Json.Serialization;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Json;

/// <summary>
/// A signed message as Lotus's <c>types.SignedMessage</c>: <c>{"Message": …, "Signature": …, "CID": …}</c>, the CID
/// being the signed message's (the bare message's for BLS), as Lotus names it. An input <c>CID</c> is ignored.
/// </summary>
public sealed class SignedMessageJsonConverter : JsonConverter<SignedMessage>
{
    /// <inheritdoc />
    public override SignedMessage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var o = LotusObject.Read(ref reader, "SignedMessage", options);
        return new SignedMessage(o.Required<Message>("Message"), o.Required<Signature>("Signature"));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, SignedMessage value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("Message");
        JsonSerializer.Serialize(writer, value.Message, options);
        writer.WritePropertyName("Signature");
        JsonSerializer.Serialize(writer, value.Signature, options);
        writer.WritePropertyName("CID");
        JsonSerializer.Serialize(writer, value.Cid(), options);
        writer.WriteEndObject();
    }
}
