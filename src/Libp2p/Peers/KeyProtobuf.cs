using Granary.Libp2p.Protobuf;

namespace Granary.Libp2p.Peers;

/// <summary>
/// The <c>{ required KeyType Type = 1; required bytes Data = 2; }</c> message that both libp2p's <c>PublicKey</c> and
/// <c>PrivateKey</c> are; unknown fields are skipped.
/// </summary>
internal static class KeyProtobuf
{
    public const int TypeField = 1;
    public const int DataField = 2;

    /// <summary>Reads the message: returns Type, gives Data; <paramref name="message"/> names it in errors.</summary>
    /// <exception cref="Libp2pProtocolException">Malformed, or a required field is missing.</exception>
    public static int Read(ReadOnlySpan<byte> protobuf, string message, out ReadOnlySpan<byte> keyData)
    {
        var reader = new ProtoReader(protobuf, PublicKey.MaxProtobufSize);
        int? type = null;
        ReadOnlySpan<byte> data = default;
        var hasData = false;
        while (reader.TryReadField(out var field, out _))
        {
            switch (field)
            {
                case TypeField:
                    type = reader.ReadInt32();
                    break;
                case DataField:
                    data = reader.ReadBytes();
                    hasData = true;
                    break;
                default:
                    reader.SkipField();
                    break;
            }
        }

        if (type is null)
        {
            throw new Libp2pProtocolException($"{message} protobuf lacks the required Type field");
        }

        keyData = hasData ? data : throw new Libp2pProtocolException($"{message} protobuf lacks the required Data field");
        return type.Value;
    }
}
