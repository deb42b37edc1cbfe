using System.Buffers.Binary;
using System.Globalization;

namespace Granary.Libp2p.Multiaddrs;

/// <summary>
/// The IP address text forms multiaddr uses, as strict as js-libp2p's (<c>@chainsafe/is-ip</c>): dotted-quad IPv4
/// without leading zeros; IPv6 with at most one <c>::</c>, 1–4 hex digits per group, an optional trailing dotted
/// quad and no zone. Written back the way js prints them (the WHATWG URL IPv6 serializer). <see cref="System.Net.IPAddress"/>
/// is not used because it also accepts <c>1.2.3</c>, <c>0x7f.1</c>, zones and brackets.
/// </summary>
internal static class IpAddressText
{
    // "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" is the longest valid IPv6 text.
    private const int MaxIp6Length = 45;

    /// <summary>Parses dotted-quad IPv4 into 4 bytes.</summary>
    public static bool TryParseIp4(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var index = 0;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (index >= text.Length || text[index] != '.')
                {
                    return false;
                }

                index++;
            }

            var start = index;
            var value = 0;
            while (index < text.Length && index - start < 3 && char.IsAsciiDigit(text[index]))
            {
                value = (value * 10) + (text[index] - '0');
                index++;
            }

            var digits = index - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            destination[octet] = (byte)value;
        }

        return index == text.Length;
    }

    /// <summary>Writes 4 bytes as dotted decimal.</summary>
    public static string FormatIp4(ReadOnlySpan<byte> address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address[0]}.{address[1]}.{address[2]}.{address[3]}");

    /// <summary>Parses IPv6 text into 16 bytes.</summary>
    public static bool TryParseIp6(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length is < 2 or > MaxIp6Length)
        {
            return false;
        }

        Span<ushort> groups = stackalloc ushort[8];
        var gap = text.IndexOf("::");
        if (gap < 0)
        {
            if (!TryParseGroups(text, groups, allowIp4Tail: true, out var count) || count != 8)
            {
                return false;
            }
        }
        else
        {
            var head = text[..gap];
            var tail = text[(gap + 2)..];
            Span<ushort> tailGroups = stackalloc ushort[7];
            // A dotted quad may only end the address, so not before the "::"; "::" stands for at least one group.
            if (!TryParseGroups(head, groups, allowIp4Tail: false, out var headCount)
                || !TryParseGroups(tail, tailGroups, allowIp4Tail: true, out var tailCount)
                || headCount + tailCount > 7)
            {
                return false;
            }

            tailGroups[..tailCount].CopyTo(groups[(8 - tailCount)..]);
        }

        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * i)..], groups[i]);
        }

        return true;
    }

    /// <summary>
    /// Writes 16 bytes as IPv6 text: lower-case hex without leading zeros, the first longest run of two or more
    /// zero groups as <c>::</c>, and never a dotted quad (js prints <c>::ffff:102:304</c>).
    /// </summary>
    public static string FormatIp6(ReadOnlySpan<byte> address)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = BinaryPrimitives.ReadUInt16BigEndian(address[(2 * i)..]);
        }

        int runStart = -1, runLength = 1;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > runLength)
            {
                runStart = start;
                runLength = i - start;
            }
        }

        Span<char> chars = stackalloc char[40];
        var n = 0;
        for (var i = 0; i < 8; i++)
        {
            if (i == runStart)
            {
                chars[n++] = ':';
                if (i == 0)
                {
                    chars[n++] = ':';
                }

                i += runLength - 1;
                continue;
            }

            groups[i].TryFormat(chars[n..], out var written, "x", CultureInfo.InvariantCulture);
            n += written;
            if (i != 7)
            {
                chars[n++] = ':';
            }
        }

        return new string(chars[..n]);
    }

    private static bool TryParseGroups(ReadOnlySpan<char> text, Span<ushort> groups, bool allowIp4Tail, out int count)
    {
        count = 0;
        if (text.IsEmpty)
        {
            return true;
        }

        Span<byte> ip4 = stackalloc byte[4];
        foreach (var range in text.Split(':'))
        {
            var part = text[range];
            if (part.Contains('.'))
            {
                if (!allowIp4Tail || range.End.Value != text.Length || count + 2 > groups.Length || !TryParseIp4(part, ip4))
                {
                    return false;
                }

                groups[count++] = BinaryPrimitives.ReadUInt16BigEndian(ip4);
                groups[count++] = BinaryPrimitives.ReadUInt16BigEndian(ip4[2..]);
                continue;
            }

            if (part.Length is 0 or > 4 || count == groups.Length
                || !ushort.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var group))
            {
                return false;
            }

            groups[count++] = group;
        }

        return true;
    }
}
