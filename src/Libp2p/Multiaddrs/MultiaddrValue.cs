using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Granary.Filecoin.Encoding;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Multiaddrs;

/// <summary>
/// Converts one component value between text and binary per <see cref="MultiaddrValueKind"/>. Every method reports a
/// problem as a string (null = fine) rather than throwing, so <c>TryParse</c> stays exception-free.
/// </summary>
internal static class MultiaddrValue
{
    /// <summary>DNS names are at most 255 bytes (RFC 1035).</summary>
    public const int MaxDomainNameBytes = 255;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The binary size of a fixed-size value, 0 for none, -1 for a length-prefixed value.</summary>
    public static int FixedSize(MultiaddrValueKind kind) => kind switch
    {
        MultiaddrValueKind.None => 0,
        MultiaddrValueKind.Ip4 => 4,
        MultiaddrValueKind.Ip6 => 16,
        MultiaddrValueKind.Port => 2,
        _ => -1,
    };

    /// <summary>Text to binary (without the length prefix).</summary>
    public static string? TryEncode(MultiaddrProtocol protocol, ReadOnlySpan<char> text, out byte[] value)
    {
        value = [];
        switch (protocol.ValueKind)
        {
            case MultiaddrValueKind.Ip4:
                value = new byte[4];
                return IpAddressText.TryParseIp4(text, value) ? null : $"bad ip4 address '{Excerpt.Of(text)}'";
            case MultiaddrValueKind.Ip6:
                value = new byte[16];
                return IpAddressText.TryParseIp6(text, value) ? null : $"bad ip6 address '{Excerpt.Of(text)}'";
            case MultiaddrValueKind.Port:
                value = new byte[2];
                if (!TryParsePort(text, out var port))
                {
                    return $"bad {protocol.Name} port '{Excerpt.Of(text)}' (expected a decimal number 0..65535)";
                }

                BinaryPrimitives.WriteUInt16BigEndian(value, port);
                return null;
            case MultiaddrValueKind.DomainName:
                return TryEncodeDomainName(protocol, text, out value);
            case MultiaddrValueKind.PeerIdMultihash:
                return TryEncodePeerId(text, out value);
            default:
                return null;
        }
    }

    /// <summary>Checks a binary value whose length already matched <see cref="FixedSize"/> (or was length-prefixed).</summary>
    public static string? Validate(MultiaddrProtocol protocol, ReadOnlySpan<byte> value) => protocol.ValueKind switch
    {
        MultiaddrValueKind.DomainName => DomainNameProblem(value) is { } problem ? $"bad {protocol.Name} name: {problem}" : null,
        MultiaddrValueKind.PeerIdMultihash => ValidatePeerId(value) is { } problem ? $"bad p2p peer id: {problem}" : null,
        _ => null,
    };

    /// <summary>Binary to canonical text; the value was validated.</summary>
    public static string Format(MultiaddrProtocol protocol, ReadOnlySpan<byte> value) => protocol.ValueKind switch
    {
        MultiaddrValueKind.Ip4 => IpAddressText.FormatIp4(value),
        MultiaddrValueKind.Ip6 => IpAddressText.FormatIp6(value),
        MultiaddrValueKind.Port => BinaryPrimitives.ReadUInt16BigEndian(value).ToString(CultureInfo.InvariantCulture),
        MultiaddrValueKind.DomainName => Encoding.UTF8.GetString(value),
        MultiaddrValueKind.PeerIdMultihash => Base58.Encode(value),
        _ => string.Empty,
    };

    /// <summary>
    /// A /p2p/ value must be a valid peer id (<see cref="PeerId.FromMultihash"/>: identity of a real public key, or
    /// sha2-256 with a 32-byte digest, nothing after it). That keeps <see cref="Multiaddr.PeerId"/> from ever failing,
    /// and the base58 text starting with <c>1</c> or <c>Qm</c>, which is how the text parser tells it from a CID.
    /// </summary>
    public static string? ValidatePeerId(ReadOnlySpan<byte> value)
    {
        try
        {
            PeerId.FromMultihash(value);
            return null;
        }
        catch (Libp2pProtocolException e)
        {
            return e.Message;
        }
    }

    // Decimal without sign, leading zeros or spaces, like js's `parseInt(v).toString() === v` check.
    private static bool TryParsePort(ReadOnlySpan<char> text, out ushort port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        var value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        if (value > ushort.MaxValue)
        {
            return false;
        }

        port = (ushort)value;
        return true;
    }

    private static string? TryEncodeDomainName(MultiaddrProtocol protocol, ReadOnlySpan<char> text, out byte[] value)
    {
        value = [];
        if (text.Length > MaxDomainNameBytes)
        {
            return $"bad {protocol.Name} name '{Excerpt.Of(text)}': longer than {MaxDomainNameBytes} bytes";
        }

        try
        {
            value = StrictUtf8.GetBytes(text.ToArray());
        }
        catch (EncoderFallbackException)
        {
            return $"bad {protocol.Name} name '{Excerpt.Of(text)}': not valid Unicode";
        }

        var problem = DomainNameProblem(value);
        return problem is null ? null : $"bad {protocol.Name} name '{Excerpt.Of(text)}': {problem}";
    }

    private static string? DomainNameProblem(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return "empty";
        }

        if (value.Length > MaxDomainNameBytes)
        {
            return $"{value.Length} bytes, longer than {MaxDomainNameBytes}";
        }

        // '/' would make the text form unparseable; controls and spaces are never part of a host name.
        foreach (var b in value)
        {
            if (b is <= 0x20 or 0x7f or (byte)'/')
            {
                return $"contains byte 0x{b:x2}";
            }
        }

        return Utf8.IsValid(value) ? null : "not valid UTF-8";
    }

    private static string? TryEncodePeerId(ReadOnlySpan<char> text, out byte[] value)
    {
        value = [];
        try
        {
            value = PeerId.Parse(text.ToString()).ToBytes();
            return null;
        }
        catch (Libp2pProtocolException e)
        {
            return $"bad p2p peer id '{Excerpt.Of(text)}': {e.Message}";
        }
    }
}
