using Granary.Libp2p.Protobuf;

namespace Granary.Libp2p.Noise;

/// <summary>
/// The libp2p <c>NoiseHandshakePayload</c> protobuf carried in msg2 and msg3:
/// <c>identity_key = 1</c> (a PublicKey protobuf), <c>identity_sig = 2</c>, <c>extensions = 4</c>
/// (<c>NoiseExtensions { repeated bytes webtransport_certhashes = 1; repeated string stream_muxers = 2; }</c>).
/// </summary>
internal sealed record NoiseHandshakePayload(byte[] IdentityKey, byte[] IdentitySignature, IReadOnlyList<string> StreamMuxers)
{
    /// <summary>Most stream muxers accepted in a payload.</summary>
    public const int MaxStreamMuxers = 32;

    /// <summary>Longest muxer protocol id accepted (multistream's limit).</summary>
    public const int MaxProtocolIdBytes = 1024;

    private const int IdentityKeyField = 1;
    private const int IdentitySigField = 2;
    private const int ExtensionsField = 4;
    private const int StreamMuxersField = 2;

    /// <summary>The protobuf; extensions only when there are muxers to announce.</summary>
    public byte[] Encode()
    {
        var writer = new ProtoWriter(IdentityKey.Length + IdentitySignature.Length + 64);
        writer.WriteBytes(IdentityKeyField, IdentityKey);
        writer.WriteBytes(IdentitySigField, IdentitySignature);
        if (StreamMuxers.Count > 0)
        {
            var extensions = new ProtoWriter();
            foreach (var muxer in StreamMuxers)
            {
                extensions.WriteString(StreamMuxersField, muxer);
            }

            writer.WriteMessage(ExtensionsField, extensions);
        }

        return writer.ToArray();
    }

    /// <summary>Reads a payload; identity_key and identity_sig are required, unknown fields are skipped.</summary>
    /// <exception cref="NoiseHandshakeException">Malformed, missing fields, or over the muxer limits.</exception>
    public static NoiseHandshakePayload Decode(ReadOnlySpan<byte> payload)
    {
        try
        {
            var reader = new ProtoReader(payload, ushort.MaxValue);
            byte[]? key = null;
            byte[]? signature = null;
            var muxers = new List<string>();
            while (reader.TryReadField(out var field, out _))
            {
                switch (field)
                {
                    case IdentityKeyField:
                        key = reader.ReadBytes().ToArray();
                        break;
                    case IdentitySigField:
                        signature = reader.ReadBytes().ToArray();
                        break;
                    case ExtensionsField:
                        // proto2 merges repeated occurrences of an embedded message, so lists accumulate.
                        ReadExtensions(reader.ReadBytes(), muxers);
                        break;
                    default:
                        reader.SkipField();
                        break;
                }
            }

            if (key is null || signature is null)
            {
                throw new NoiseHandshakeException($"Noise handshake payload lacks {(key is null ? "identity_key" : "identity_sig")}");
            }

            return new NoiseHandshakePayload(key, signature, muxers);
        }
        catch (Libp2pProtocolException e) when (e is not NoiseHandshakeException)
        {
            throw new NoiseHandshakeException($"Noise handshake payload is malformed: {e.Message}", e);
        }
    }

    private static void ReadExtensions(ReadOnlySpan<byte> extensions, List<string> muxers)
    {
        var reader = new ProtoReader(extensions, ushort.MaxValue);
        while (reader.TryReadField(out var field, out _))
        {
            if (field != StreamMuxersField)
            {
                reader.SkipField();
                continue;
            }

            var muxer = reader.ReadString(MaxProtocolIdBytes);
            if (muxers.Count == MaxStreamMuxers)
            {
                throw new NoiseHandshakeException($"Noise handshake payload announces more than {MaxStreamMuxers} stream muxers");
            }

            muxers.Add(muxer);
        }
    }
}
