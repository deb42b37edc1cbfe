using System.Globalization;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Encoding;

namespace Granary.Filecoin.Addresses;

/// <summary>
/// A Filecoin address: protocol byte and payload. Text is a network prefix (<c>f</c> mainnet, <c>t</c>
/// testnets), the protocol digit, then the id in decimal (f0), base32 of payload ‖ checksum (f1–f3), or
/// namespace, <c>f</c>, base32 of sub-address ‖ checksum (f4); the checksum is BLAKE2b-32 of the address bytes.
/// </summary>
public sealed record Address
{
    /// <summary>Largest f4 sub-address.</summary>
    public const int MaxSubAddressBytes = 54;

    private const int ChecksumBytes = 4;
    private const int MaxTextLength = 128;
    private readonly byte[] _payload;

    private Address(AddressProtocol protocol, byte[] payload)
    {
        Protocol = protocol;
        _payload = payload;
    }

    /// <summary>The protocol.</summary>
    public AddressProtocol Protocol { get; }

    /// <summary>The payload (after the protocol byte).</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <summary>An f0 id address.</summary>
    public static Address FromId(ulong id) => new(AddressProtocol.Id, Varint.Encode(id));

    /// <summary>An f1 address from a 65-byte uncompressed secp256k1 public key.</summary>
    public static Address FromSecp256k1PublicKey(ReadOnlySpan<byte> uncompressed) =>
        uncompressed.Length == 65 ? new(AddressProtocol.Secp256k1, Blake2b.Hash(uncompressed, 20))
        : throw new FilecoinFormatException("a secp256k1 public key for an address is 65 bytes (uncompressed)");

    /// <summary>An f2 actor address from its creation data.</summary>
    public static Address FromActorData(ReadOnlySpan<byte> data) => new(AddressProtocol.Actor, Blake2b.Hash(data, 20));

    /// <summary>An f3 address from a 48-byte BLS public key.</summary>
    public static Address FromBlsPublicKey(ReadOnlySpan<byte> key) =>
        key.Length == 48 ? new(AddressProtocol.Bls, key.ToArray()) : throw new FilecoinFormatException("a BLS public key is 48 bytes");

    /// <summary>An f4 delegated address.</summary>
    public static Address Delegated(ulong @namespace, ReadOnlySpan<byte> subAddress) =>
        subAddress.Length <= MaxSubAddressBytes ? new(AddressProtocol.Delegated, [.. Varint.Encode(@namespace), .. subAddress])
        : throw new FilecoinFormatException($"an f4 sub-address is at most {MaxSubAddressBytes} bytes");

    /// <summary>The actor id of an f0 address.</summary>
    public ulong Id => Protocol == AddressProtocol.Id ? Varint.Read(_payload, out _) : throw new InvalidOperationException($"{this} is not an id address");

    /// <summary>The binary form: protocol byte, payload.</summary>
    public byte[] ToBytes() => [(byte)Protocol, .. _payload];

    /// <summary>Text with the mainnet prefix <c>f</c>.</summary>
    public override string ToString() => ToString('f');

    /// <summary>Text with the network prefix <paramref name="network"/> (<c>f</c> or <c>t</c>).</summary>
    public string ToString(char network)
    {
        var head = $"{network}{(byte)Protocol}";
        switch (Protocol)
        {
            case AddressProtocol.Id:
                return head + Id.ToString(CultureInfo.InvariantCulture);
            case AddressProtocol.Delegated:
                var ns = Varint.Read(_payload, out var n);
                return $"{head}{ns.ToString(CultureInfo.InvariantCulture)}f{Base32.Encode([.. _payload.AsSpan(n), .. Checksum()])}";
            default:
                return head + Base32.Encode([.. _payload, .. Checksum()]);
        }
    }

    /// <summary>Reads the binary form.</summary>
    /// <exception cref="FilecoinFormatException">Unknown protocol or a payload of the wrong length.</exception>
    public static Address FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            throw new FilecoinFormatException("address bytes are too short");
        }

        var payload = bytes[1..];
        switch ((AddressProtocol)bytes[0])
        {
            case AddressProtocol.Id:
                Varint.Read(payload, out var used);
                return used == payload.Length ? new(AddressProtocol.Id, payload.ToArray()) : throw new FilecoinFormatException("trailing bytes after the id");
            case AddressProtocol.Secp256k1 or AddressProtocol.Actor:
                return payload.Length == 20 ? new((AddressProtocol)bytes[0], payload.ToArray()) : throw new FilecoinFormatException($"f{bytes[0]} payload must be 20 bytes, got {payload.Length}");
            case AddressProtocol.Bls:
                return payload.Length == 48 ? new(AddressProtocol.Bls, payload.ToArray()) : throw new FilecoinFormatException($"f3 payload must be 48 bytes, got {payload.Length}");
            case AddressProtocol.Delegated:
                Varint.Read(payload, out var nsLength);
                return payload.Length - nsLength <= MaxSubAddressBytes ? new(AddressProtocol.Delegated, payload.ToArray())
                    : throw new FilecoinFormatException($"an f4 sub-address is at most {MaxSubAddressBytes} bytes");
            default:
                throw new FilecoinFormatException($"unknown address protocol {bytes[0]}");
        }
    }

    /// <summary>Parses text, with either network prefix.</summary>
    /// <exception cref="FilecoinFormatException">Bad prefix, protocol, characters, length or checksum.</exception>
    public static Address Parse(string text) => Parse(text, out _);

    /// <summary>Parses text and says which network prefix it had.</summary>
    public static Address Parse(string text, out char network)
    {
        if (string.IsNullOrEmpty(text) || text.Length < 3 || text.Length > MaxTextLength)
        {
            throw new FilecoinFormatException($"'{text}' is not an address: wrong length");
        }

        network = text[0];
        if (network is not ('f' or 't'))
        {
            throw new FilecoinFormatException($"'{text}' is not an address: network prefix must be f or t");
        }

        var body = text.AsSpan(2);
        switch (text[1])
        {
            case '0':
                if (body.Length > 20 || !body.ToString().All(char.IsAsciiDigit) || (body.Length > 1 && body[0] == '0')
                    || !ulong.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    throw new FilecoinFormatException($"'{text}': an id address is f0 followed by a decimal number");
                }

                return FromId(id);
            case '1' or '2' or '3':
                var protocol = (AddressProtocol)(text[1] - '0');
                var raw = Base32.Decode(body);
                var address = FromBytes([(byte)protocol, .. raw.AsSpan(0, Math.Max(0, raw.Length - ChecksumBytes))]);
                return VerifyChecksum(address, raw.AsSpan(raw.Length - ChecksumBytes), text);
            case '4':
                var separator = body.IndexOf('f');
                if (separator <= 0 || separator > 20 || !ulong.TryParse(body[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var ns))
                {
                    throw new FilecoinFormatException($"'{text}': an f4 address is f4 NAMESPACE f SUBADDRESS");
                }

                var sub = Base32.Decode(body[(separator + 1)..]);
                if (sub.Length < ChecksumBytes)
                {
                    throw new FilecoinFormatException($"'{text}': missing checksum");
                }

                return VerifyChecksum(Delegated(ns, sub.AsSpan(0, sub.Length - ChecksumBytes)), sub.AsSpan(sub.Length - ChecksumBytes), text);
            default:
                throw new FilecoinFormatException($"'{text}': unknown address protocol '{text[1]}'");
        }
    }

    /// <inheritdoc />
    public bool Equals(Address? other) => other is not null && Protocol == other.Protocol && _payload.AsSpan().SequenceEqual(other._payload);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Protocol, _payload.Length, _payload.Length > 0 ? _payload[^1] : 0);

    private byte[] Checksum() => Blake2b.Hash(ToBytes(), ChecksumBytes);

    private static Address VerifyChecksum(Address address, ReadOnlySpan<byte> checksum, string text) =>
        checksum.SequenceEqual(address.Checksum()) ? address : throw new FilecoinFormatException($"'{text}': bad checksum");
}
