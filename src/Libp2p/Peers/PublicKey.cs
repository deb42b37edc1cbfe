using Granary.Libp2p.Protobuf;

namespace Granary.Libp2p.Peers;

/// <summary>
/// A libp2p public key: its type and its <c>Data</c> bytes in the per-type encoding of the peer-ids spec.
/// Its protobuf form (<see cref="ToProtobuf"/>) is always the deterministic one (fields in tag order, minimal
/// varints, nothing else), because the peer id is derived from exactly those bytes.
/// </summary>
public abstract class PublicKey : IEquatable<PublicKey>
{
    /// <summary>Largest <c>PublicKey</c> protobuf accepted (an 8192-bit RSA key is about 1.1 KB).</summary>
    public const int MaxProtobufSize = 4096;


    private readonly byte[] _data;
    private byte[]? _protobuf;
    private PeerId? _peerId;

    /// <summary>Wraps already-validated <paramref name="data"/>.</summary>
    private protected PublicKey(KeyType type, byte[] data)
    {
        Type = type;
        _data = data;
    }

    /// <summary>The key type.</summary>
    public KeyType Type { get; }

    /// <summary>The key bytes in the spec's encoding for <see cref="Type"/>.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>The deterministic <c>PublicKey</c> protobuf (a fresh copy).</summary>
    public byte[] ToProtobuf() => [.. Protobuf];

    /// <summary>The peer id: identity multihash of the protobuf when it is at most 42 bytes, else its sha2-256.</summary>
    public PeerId ToPeerId() => _peerId ??= PeerId.FromPublicKeyProtobuf(Protobuf);

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="data"/> with this key's algorithm. Malformed
    /// signatures give false, never an exception.
    /// </summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    /// <summary>
    /// Reads a <c>PublicKey</c> protobuf. Both fields are required; unknown fields are skipped (standard protobuf
    /// behaviour), which is harmless because the peer id is computed from the re-encoded, deterministic form.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">Malformed protobuf, a missing field, an unknown key type, or key bytes
    /// that are not valid for their type.</exception>
    public static PublicKey FromProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var type = KeyProtobuf.Read(protobuf, "PublicKey", out var data);
        return Create((KeyType)type, data);
    }

    /// <summary>Builds a key of <paramref name="type"/> from its <c>Data</c> bytes.</summary>
    /// <exception cref="Libp2pProtocolException">An unknown type, or bytes not valid for the type.</exception>
    public static PublicKey Create(KeyType type, ReadOnlySpan<byte> data) => type switch
    {
        KeyType.Ed25519 => new Ed25519PublicKey(data),
        KeyType.Secp256k1 => new Secp256k1PublicKey(data),
        KeyType.Ecdsa => new EcdsaPublicKey(data),
        KeyType.Rsa => new RsaPublicKey(data),
        _ => throw new Libp2pProtocolException($"unsupported libp2p key type {(int)type}"),
    };

    /// <inheritdoc />
    public bool Equals(PublicKey? other) => other is not null && Type == other.Type && _data.AsSpan().SequenceEqual(other._data);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.AddBytes(_data);
        return hash.ToHashCode();
    }

    /// <summary>The type and the peer id, e.g. <c>Ed25519 12D3KooW…</c>.</summary>
    public override string ToString() => $"{Type} {ToPeerId()}";

    private byte[] Protobuf => _protobuf ??= Encode();

    private byte[] Encode()
    {
        var writer = new ProtoWriter(_data.Length + 8);
        writer.WriteVarint(KeyProtobuf.TypeField, (ulong)Type);
        writer.WriteBytes(KeyProtobuf.DataField, _data);
        return writer.ToArray();
    }
}
