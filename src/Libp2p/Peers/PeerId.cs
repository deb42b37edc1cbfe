using System.Security.Cryptography;
using Granary.Filecoin;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;
using FilecoinMultihash = Granary.Filecoin.Cids.Multihash;

namespace Granary.Libp2p.Peers;

/// <summary>
/// A libp2p peer id: the multihash of a peer's <c>PublicKey</c> protobuf — identity when the protobuf is at most
/// 42 bytes (Ed25519, secp256k1), sha2-256 otherwise (RSA, ECDSA). Text is base58btc (<c>12D3KooW…</c>,
/// <c>Qm…</c>); the CIDv1 form (<c>bafz…</c>, codec libp2p-key) is also produced and parsed.
/// </summary>
public readonly struct PeerId : IEquatable<PeerId>
{
    /// <summary>Largest serialized public key that is inlined with the identity multihash.</summary>
    public const int MaxInlineKeyLength = 42;

    /// <summary>The multicodec of a peer id inside a CID.</summary>
    public const ulong Libp2pKeyCodec = 0x72;

    /// <summary>Longest peer id text accepted by <see cref="Parse"/> (real ones are 46 to 62 characters).</summary>
    public const int MaxTextLength = 128;

    private readonly byte[]? _multihash;

    private PeerId(byte[] multihash) => _multihash = multihash;

    /// <summary>The binary multihash (empty for <c>default(PeerId)</c>).</summary>
    public ReadOnlyMemory<byte> Multihash => _multihash;

    /// <summary>True for <c>default(PeerId)</c>, which names no peer.</summary>
    public bool IsEmpty => _multihash is null;

    /// <summary>
    /// Validates a binary peer id: an identity multihash of a parseable public key protobuf (at most 42 bytes), or a
    /// sha2-256 multihash with a 32-byte digest, and nothing after it.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">Anything else, with the reason.</exception>
    public static PeerId FromMultihash(ReadOnlySpan<byte> multihash)
    {
        FilecoinMultihash parsed;
        int consumed;
        try
        {
            parsed = FilecoinMultihash.Read(multihash, out consumed);
        }
        catch (FilecoinFormatException e)
        {
            throw new Libp2pProtocolException($"peer id is not a valid multihash: {e.Message}", e);
        }

        if (consumed != multihash.Length)
        {
            throw new Libp2pProtocolException($"peer id has {multihash.Length - consumed} trailing bytes after the multihash");
        }

        switch (parsed.Code)
        {
            case FilecoinMultihash.Identity:
                if (parsed.Digest.Length > MaxInlineKeyLength)
                {
                    throw new Libp2pProtocolException($"identity peer id inlines {parsed.Digest.Length} bytes; keys over {MaxInlineKeyLength} bytes must be hashed with sha2-256");
                }

                // An inlined key must be a key, or nobody could ever authenticate as this peer.
                PublicKey.FromProtobuf(parsed.Digest);
                break;
            case FilecoinMultihash.Sha2_256:
                if (parsed.Digest.Length != 32)
                {
                    throw new Libp2pProtocolException($"sha2-256 peer id has a {parsed.Digest.Length}-byte digest, expected 32");
                }

                break;
            default:
                throw new Libp2pProtocolException($"peer id uses multihash code 0x{parsed.Code:x}; only identity (0x00) and sha2-256 (0x12) are valid");
        }

        return new PeerId(multihash.ToArray());
    }

    /// <summary>
    /// Parses peer id text: base58btc multihash when it starts with <c>1</c> or <c>Qm</c>, otherwise a multibase
    /// CIDv1 (<c>b</c>/<c>B</c> base32 or <c>z</c> base58btc) whose codec must be libp2p-key (0x72).
    /// </summary>
    /// <exception cref="Libp2pProtocolException">Not a peer id; the message says why.</exception>
    public static PeerId Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0 || text.Length > MaxTextLength)
        {
            throw new Libp2pProtocolException($"peer id text must be 1..{MaxTextLength} characters, got {text.Length}");
        }

        if (text[0] == '1' || text.StartsWith("Qm", StringComparison.Ordinal))
        {
            byte[] bytes;
            try
            {
                bytes = Base58.Decode(text);
            }
            catch (FilecoinFormatException e)
            {
                throw new Libp2pProtocolException($"peer id '{text}' is not valid base58btc: {e.Message}", e);
            }

            return FromMultihash(bytes);
        }

        Cid cid;
        try
        {
            cid = Cid.Parse(text);
        }
        catch (FilecoinFormatException e)
        {
            throw new Libp2pProtocolException($"peer id '{text}' is neither base58btc nor a CID: {e.Message}", e);
        }

        if (cid.Codec != Libp2pKeyCodec)
        {
            throw new Libp2pProtocolException($"peer id CID '{text}' has codec 0x{cid.Codec:x}; peer ids use libp2p-key (0x72)");
        }

        return FromMultihash(cid.Hash.ToBytes());
    }

    /// <summary>Like <see cref="Parse"/>, but returns false instead of throwing.</summary>
    public static bool TryParse(string? text, out PeerId peerId)
    {
        peerId = default;
        if (text is null)
        {
            return false;
        }

        try
        {
            peerId = Parse(text);
            return true;
        }
        catch (Libp2pProtocolException)
        {
            return false;
        }
    }

    /// <summary>The peer id of a deterministic <c>PublicKey</c> protobuf (see <see cref="PublicKey.ToPeerId"/>).</summary>
    internal static PeerId FromPublicKeyProtobuf(ReadOnlySpan<byte> protobuf)
    {
        if (protobuf.Length <= MaxInlineKeyLength)
        {
            return new PeerId([.. Varint.Encode(FilecoinMultihash.Identity), .. Varint.Encode((ulong)protobuf.Length), .. protobuf]);
        }

        return new PeerId([(byte)FilecoinMultihash.Sha2_256, 32, .. SHA256.HashData(protobuf)]);
    }

    /// <summary>The public key inlined in an identity peer id (Ed25519, secp256k1), or null for hashed ids.</summary>
    public PublicKey? TryExtractPublicKey()
    {
        if (_multihash is not { Length: > 2 } || _multihash[0] != (byte)FilecoinMultihash.Identity)
        {
            return null;
        }

        // Validated in FromMultihash / built from a key: one length byte, then the protobuf.
        return PublicKey.FromProtobuf(_multihash.AsSpan(2));
    }

    /// <summary>A copy of the binary multihash.</summary>
    public byte[] ToBytes() => _multihash is null ? [] : [.. _multihash];

    /// <summary>The legacy, recommended display form: base58btc of the multihash.</summary>
    public override string ToString() => _multihash is null ? string.Empty : Base58.Encode(_multihash);

    /// <summary>The CIDv1 form: <c>b</c> + base32 of 0x01, 0x72 (libp2p-key), multihash.</summary>
    public string ToCidString() => _multihash is null ? string.Empty : "b" + Base32.Encode([0x01, (byte)Libp2pKeyCodec, .. _multihash]);

    /// <inheritdoc />
    public bool Equals(PeerId other) => Multihash.Span.SequenceEqual(other.Multihash.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Multihash.Span);
        return hash.ToHashCode();
    }

    /// <summary>Equality of the multihashes.</summary>
    public static bool operator ==(PeerId left, PeerId right) => left.Equals(right);

    /// <summary>Inequality of the multihashes.</summary>
    public static bool operator !=(PeerId left, PeerId right) => !left.Equals(right);
}
