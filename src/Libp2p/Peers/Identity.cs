using System.Security.Cryptography;
using Granary.Libp2p.Protobuf;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Granary.Libp2p.Peers;

/// <summary>
/// This node's libp2p identity: an Ed25519 private key. Stored as the spec's <c>PrivateKey</c> protobuf with
/// <c>Data</c> = 32-byte seed ‖ 32-byte public key (the form js and go write).
/// </summary>
public sealed class Identity
{
    /// <summary>Length of the Ed25519 seed.</summary>
    public const int SeedSize = 32;


    private readonly byte[] _seed;
    private readonly byte[] _publicKey;

    private Identity(byte[] seed)
    {
        _seed = seed;
        _publicKey = new byte[Ed25519PublicKey.KeySize];
        Ed25519.GeneratePublicKey(_seed, _publicKey);
        PublicKey = new Ed25519PublicKey(_publicKey);
        PeerId = PublicKey.ToPeerId();
    }

    /// <summary>The public half.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>This node's peer id (identity multihash, <c>12D3KooW…</c>).</summary>
    public PeerId PeerId { get; }

    /// <summary>A fresh random identity.</summary>
    public static Identity Generate() => new(RandomNumberGenerator.GetBytes(SeedSize));

    /// <summary>The identity with this 32-byte Ed25519 seed.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public static Identity FromSeed(ReadOnlySpan<byte> seed32) => seed32.Length == SeedSize
        ? new Identity(seed32.ToArray())
        : throw new ArgumentException($"Ed25519 seed must be {SeedSize} bytes, got {seed32.Length}", nameof(seed32));

    /// <summary>
    /// Reads a <c>PrivateKey</c> protobuf of type Ed25519. <c>Data</c> is seed ‖ public key (64 bytes) or the legacy
    /// seed ‖ public ‖ public (96 bytes); the stored public key must match the one derived from the seed.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">Malformed, not Ed25519, or inconsistent.</exception>
    public static Identity FromPrivateKeyProtobuf(ReadOnlySpan<byte> protobuf)
    {
        var type = KeyProtobuf.Read(protobuf, "PrivateKey", out var data);
        if (type != (int)KeyType.Ed25519)
        {
            throw new Libp2pProtocolException($"only Ed25519 identities are supported, the private key has type {type}");
        }

        if (data.Length is not (64 or 96))
        {
            throw new Libp2pProtocolException($"Ed25519 private key data must be 64 (seed+public) or 96 (legacy) bytes, got {data.Length}");
        }

        if (data.Length == 96 && !data.Slice(32, 32).SequenceEqual(data.Slice(64, 32)))
        {
            throw new Libp2pProtocolException("legacy 96-byte Ed25519 private key has two different public key copies");
        }

        var identity = new Identity(data[..SeedSize].ToArray());
        if (!data.Slice(32, 32).SequenceEqual(identity._publicKey))
        {
            throw new Libp2pProtocolException("Ed25519 private key's public half does not match its seed");
        }

        return identity;
    }

    /// <summary>The <c>PrivateKey</c> protobuf: type Ed25519, data seed ‖ public key (64 bytes). Keep it secret.</summary>
    public byte[] ToPrivateKeyProtobuf()
    {
        var writer = new ProtoWriter(72);
        writer.WriteVarint(KeyProtobuf.TypeField, (ulong)KeyType.Ed25519);
        writer.WriteBytes(KeyProtobuf.DataField, [.. _seed, .. _publicKey]);
        return writer.ToArray();
    }

    /// <summary>An Ed25519 signature (64 bytes) over <paramref name="data"/>; deterministic per RFC 8032.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signature = new byte[Ed25519PublicKey.SignatureSize];
        // Spans on purpose: the byte[] overload with a second array argument is Ed25519ctx (a context, not the key).
        Ed25519.Sign((ReadOnlySpan<byte>)_seed, (ReadOnlySpan<byte>)_publicKey, data, signature);
        return signature;
    }

    /// <summary>The peer id (never the key material).</summary>
    public override string ToString() => PeerId.ToString();
}
