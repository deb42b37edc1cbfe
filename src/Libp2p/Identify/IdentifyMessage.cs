using Granary.Libp2p.Multistream;
using Granary.Libp2p.Protobuf;

namespace Granary.Libp2p.Identify;

/// <summary>
/// The identify protobuf (proto2, libp2p/specs identify): <c>publicKey=1, listenAddrs=2 (repeated), protocols=3
/// (repeated), observedAddr=4, protocolVersion=5, agentVersion=6, signedPeerRecord=8</c>. Absent fields stay null,
/// which matters for identify push, where only the fields present replace what we knew. Unknown fields are skipped.
/// Decoding checks sizes only; what the bytes mean (key, multiaddrs) is checked by <see cref="IdentifyInfo"/>.
/// </summary>
internal sealed class IdentifyMessage
{
    /// <summary>Longest accepted protocolVersion / agentVersion, in UTF-8 bytes.</summary>
    public const int MaxVersionLength = 1024;

    /// <summary>Longest accepted single address or signed record, in bytes.</summary>
    public const int MaxFieldBytes = 4096;

    private const int PublicKeyField = 1;
    private const int ListenAddrsField = 2;
    private const int ProtocolsField = 3;
    private const int ObservedAddrField = 4;
    private const int ProtocolVersionField = 5;
    private const int AgentVersionField = 6;
    private const int SignedPeerRecordField = 8;

    public string? ProtocolVersion { get; set; }

    public string? AgentVersion { get; set; }

    public byte[]? PublicKey { get; set; }

    /// <summary>Binary multiaddrs; null when the field was absent.</summary>
    public List<byte[]>? ListenAddrs { get; set; }

    public byte[]? ObservedAddr { get; set; }

    /// <summary>Protocol ids; null when the field was absent.</summary>
    public List<string>? Protocols { get; set; }

    /// <summary>The signed routing record envelope (RFC 0003), kept raw and unverified.</summary>
    public byte[]? SignedPeerRecord { get; set; }

    /// <summary>The protobuf, fields in tag order.</summary>
    public byte[] Encode()
    {
        var writer = new ProtoWriter(256);
        if (PublicKey is not null)
        {
            writer.WriteBytes(PublicKeyField, PublicKey);
        }

        foreach (var address in ListenAddrs ?? [])
        {
            writer.WriteBytes(ListenAddrsField, address);
        }

        foreach (var protocol in Protocols ?? [])
        {
            writer.WriteString(ProtocolsField, protocol);
        }

        if (ObservedAddr is not null)
        {
            writer.WriteBytes(ObservedAddrField, ObservedAddr);
        }

        if (ProtocolVersion is not null)
        {
            writer.WriteString(ProtocolVersionField, ProtocolVersion);
        }

        if (AgentVersion is not null)
        {
            writer.WriteString(AgentVersionField, AgentVersion);
        }

        if (SignedPeerRecord is not null)
        {
            writer.WriteBytes(SignedPeerRecordField, SignedPeerRecord);
        }

        return writer.ToArray();
    }

    /// <summary>
    /// Decodes <paramref name="bytes"/>. Several concatenated messages decode as their protobuf merge (later
    /// singular fields win, repeated fields accumulate), which is how identify's multi-message responses combine.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">Malformed protobuf, a field of the wrong wire type, or a value over
    /// its limit; the message says which.</exception>
    public static IdentifyMessage Decode(ReadOnlySpan<byte> bytes, int maxSize)
    {
        var reader = new ProtoReader(bytes, maxSize);
        var message = new IdentifyMessage();
        while (reader.TryReadField(out var field, out var wireType))
        {
            if (field is >= PublicKeyField and <= AgentVersionField or SignedPeerRecordField && wireType != ProtoWireType.LengthDelimited)
            {
                throw new Libp2pProtocolException($"identify: field {field} has wire type {wireType}, expected length-delimited");
            }

            switch (field)
            {
                case PublicKeyField:
                    message.PublicKey = Bytes(ref reader, "publicKey");
                    break;
                case ListenAddrsField:
                    (message.ListenAddrs ??= []).Add(Bytes(ref reader, "listenAddrs"));
                    break;
                case ProtocolsField:
                    (message.Protocols ??= []).Add(reader.ReadString(MultistreamSelect.MaxProtocolLength));
                    break;
                case ObservedAddrField:
                    message.ObservedAddr = Bytes(ref reader, "observedAddr");
                    break;
                case ProtocolVersionField:
                    message.ProtocolVersion = reader.ReadString(MaxVersionLength);
                    break;
                case AgentVersionField:
                    message.AgentVersion = reader.ReadString(MaxVersionLength);
                    break;
                case SignedPeerRecordField:
                    message.SignedPeerRecord = Bytes(ref reader, "signedPeerRecord");
                    break;
                default:
                    reader.SkipField();
                    break;
            }
        }

        return message;
    }

    private static byte[] Bytes(ref ProtoReader reader, string name)
    {
        var value = reader.ReadBytes();
        return value.Length <= MaxFieldBytes
            ? value.ToArray()
            : throw new Libp2pProtocolException($"identify: {name} of {value.Length} bytes exceeds the limit of {MaxFieldBytes} bytes");
    }
}
