using System.Diagnostics.CodeAnalysis;
using Granary.Filecoin;
using Granary.Filecoin.Encoding;

namespace Granary.Libp2p.Multiaddrs;

/// <summary>
/// A multiaddr (multiformats/multiaddr): a sequence of <c>/protocol/value</c> components, binary
/// <c>(uvarint(code) ‖ value)+</c>. Immutable and always valid; equality is by the binary form. Text is canonical on
/// output (ip6 compressed lower case as js prints it, ports decimal, peer ids base58btc even when given as a CID).
/// </summary>
/// <remarks>
/// Text rules follow js-libp2p's <c>@multiformats/multiaddr</c> 13: trailing slashes are ignored and <c>""</c> or
/// <c>/</c> is the empty multiaddr; unlike js, which collapses only the first run of doubled slashes (a regex
/// accident), an empty segment elsewhere is an error, as in go-multiaddr. Stricter than js, a <c>/p2p/</c> value
/// must be a valid <see cref="Peers.PeerId"/> (js checks only the base58) and a CID peer id must have codec
/// libp2p-key (as in go).
/// </remarks>
public sealed partial class Multiaddr : IEquatable<Multiaddr>
{
    /// <summary>Largest accepted binary form.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Longest accepted text form (a 1 KiB binary form needs well under this).</summary>
    public const int MaxTextLength = 4096;

    private readonly byte[] _bytes;
    private readonly MultiaddrComponent[] _components;
    private string? _text;

    private Multiaddr(byte[] bytes, MultiaddrComponent[] components)
    {
        _bytes = bytes;
        _components = components;
    }

    /// <summary>The multiaddr with no components (text <c>/</c>, no bytes).</summary>
    public static Multiaddr Empty { get; } = new([], []);

    /// <summary>The components, outermost (e.g. <c>/ip4/…</c>) first.</summary>
    public IReadOnlyList<MultiaddrComponent> Components => _components;

    /// <summary>The binary form, without copying.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Whether there are no components.</summary>
    public bool IsEmpty => _components.Length == 0;

    /// <summary>Parses the text form.</summary>
    /// <exception cref="MultiaddrFormatException">Malformed, unknown protocol, bad value or over a limit.</exception>
    public static Multiaddr Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problem = ParseText(text, out var result);
        return problem is null ? result! : throw new MultiaddrFormatException($"multiaddr '{Excerpt.Of(text)}': {problem}");
    }

    /// <summary>Parses the text form; false (never an exception) when it is not a valid multiaddr.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Multiaddr? multiaddr)
    {
        multiaddr = null;
        return text is not null && ParseText(text, out multiaddr) is null;
    }

    /// <summary>Reads the binary form (all of <paramref name="bytes"/>).</summary>
    /// <exception cref="MultiaddrFormatException">Unknown code, truncated, bad varint, bad value or over <see cref="MaxBytes"/>.</exception>
    public static Multiaddr FromBytes(ReadOnlySpan<byte> bytes)
    {
        var problem = ParseBytes(bytes, out var result);
        return problem is null ? result! : throw new MultiaddrFormatException($"multiaddr {Excerpt.OfBytes(bytes)}: {problem}");
    }

    /// <summary>Reads the binary form; false (never an exception) when it is not a valid multiaddr.</summary>
    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Multiaddr? multiaddr) =>
        ParseBytes(bytes, out multiaddr) is null;

    /// <summary>A copy of the binary form.</summary>
    public byte[] ToBytes() => (byte[])_bytes.Clone();

    /// <summary>The canonical text form (<c>/</c> when empty).</summary>
    public override string ToString() => _text ??= _components.Length == 0 ? "/" : string.Concat(_components.Select(c => c.ToString()));

    /// <summary>This address followed by <paramref name="inner"/> (e.g. <c>/ip4/…/tcp/1</c> + <c>/p2p/…</c>).</summary>
    /// <exception cref="MultiaddrFormatException">The result would exceed <see cref="MaxBytes"/>.</exception>
    public Multiaddr Encapsulate(Multiaddr inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (inner.IsEmpty)
        {
            return this;
        }

        if (IsEmpty)
        {
            return inner;
        }

        if (_bytes.Length + inner._bytes.Length > MaxBytes)
        {
            throw new MultiaddrFormatException(
                $"multiaddr '{Excerpt.Of(ToString())}': encapsulating {inner._bytes.Length} more bytes would exceed {MaxBytes} bytes");
        }

        return new Multiaddr([.. _bytes, .. inner._bytes], [.. _components, .. inner._components]);
    }

    /// <summary>This address followed by the parsed <paramref name="inner"/> text.</summary>
    /// <exception cref="MultiaddrFormatException"><paramref name="inner"/> does not parse, or the result is too long.</exception>
    public Multiaddr Encapsulate(string inner) => Encapsulate(Parse(inner));

    /// <summary>
    /// The prefix before the last component of <paramref name="protocol"/> (that component and everything after it
    /// removed); this address unchanged when it has no such component.
    /// </summary>
    public Multiaddr Decapsulate(MultiaddrProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var index = Array.FindLastIndex(_components, c => c.Protocol == protocol);
        return index < 0 ? this : Prefix(index);
    }

    /// <summary><see cref="Decapsulate(MultiaddrProtocol)"/> by protocol name (<c>"p2p"</c>, <c>"tcp"</c>…).</summary>
    /// <exception cref="ArgumentException">Not a protocol this host knows.</exception>
    public Multiaddr Decapsulate(string protocolName) => MultiaddrProtocol.TryGet(protocolName, out var protocol)
        ? Decapsulate(protocol)
        : throw new ArgumentException($"unknown multiaddr protocol '{protocolName}'", nameof(protocolName));

    /// <inheritdoc />
    public bool Equals(Multiaddr? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Multiaddr);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    /// <summary>Binary equality.</summary>
    public static bool operator ==(Multiaddr? left, Multiaddr? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Binary inequality.</summary>
    public static bool operator !=(Multiaddr? left, Multiaddr? right) => !(left == right);

    private Multiaddr Prefix(int count)
    {
        var length = 0;
        for (var i = 0; i < count; i++)
        {
            length += _components[i].Encoded.Length;
        }

        return count == 0 ? Empty : new Multiaddr(_bytes[..length], _components[..count]);
    }

    // Text → binary, then the binary reader builds the components, so both paths share one validator.
    private static string? ParseText(string text, out Multiaddr? result)
    {
        result = null;
        if (text.Length > MaxTextLength)
        {
            return $"text of {text.Length} characters is longer than {MaxTextLength}";
        }

        var rest = text.AsSpan().TrimEnd('/');
        if (rest.IsEmpty)
        {
            result = Empty;
            return null;
        }

        if (rest[0] != '/')
        {
            return "must start with '/'";
        }

        Span<byte> buffer = stackalloc byte[MaxBytes];
        var length = 0;
        rest = rest[1..];
        while (!rest.IsEmpty)
        {
            var name = NextSegment(ref rest);
            if (name.IsEmpty)
            {
                return "empty protocol name (doubled '/')";
            }

            if (!MultiaddrProtocol.TryGet(name, out var protocol))
            {
                return $"unknown protocol '{Excerpt.Of(name)}'";
            }

            byte[] value = [];
            if (protocol.HasValue)
            {
                var valueText = NextSegment(ref rest);
                if (valueText.IsEmpty)
                {
                    return $"missing value for {protocol.Name}";
                }

                if (MultiaddrValue.TryEncode(protocol, valueText, out value) is { } problem)
                {
                    return problem;
                }
            }

            var prefixed = MultiaddrValue.FixedSize(protocol.ValueKind) < 0;
            var needed = Varint.Size((ulong)protocol.Code) + (prefixed ? Varint.Size((ulong)value.Length) : 0) + value.Length;
            if (needed > MaxBytes - length)
            {
                return $"longer than {MaxBytes} bytes in binary";
            }

            length += Varint.Write((ulong)protocol.Code, buffer[length..]);
            if (prefixed)
            {
                length += Varint.Write((ulong)value.Length, buffer[length..]);
            }

            value.CopyTo(buffer[length..]);
            length += value.Length;
        }

        return ParseBytes(buffer[..length], out result);
    }

    private static ReadOnlySpan<char> NextSegment(ref ReadOnlySpan<char> rest)
    {
        var slash = rest.IndexOf('/');
        ReadOnlySpan<char> segment;
        if (slash < 0)
        {
            segment = rest;
            rest = [];
        }
        else
        {
            segment = rest[..slash];
            rest = rest[(slash + 1)..];
        }

        return segment;
    }

    private static string? ParseBytes(ReadOnlySpan<byte> bytes, out Multiaddr? result)
    {
        result = null;
        if (bytes.Length > MaxBytes)
        {
            return $"{bytes.Length} bytes, longer than {MaxBytes}";
        }

        if (bytes.IsEmpty)
        {
            result = Empty;
            return null;
        }

        var copy = bytes.ToArray();
        var components = new List<MultiaddrComponent>();
        var offset = 0;
        while (offset < copy.Length)
        {
            var start = offset;
            if (ReadVarint(copy.AsSpan(offset), out var code, out var read) is { } badCode)
            {
                return $"bad protocol code at byte {offset}: {badCode}";
            }

            offset += read;
            if (code > int.MaxValue || !MultiaddrProtocol.TryGet((int)code, out var protocol))
            {
                return $"unknown protocol code {code} at byte {start}";
            }

            var size = MultiaddrValue.FixedSize(protocol.ValueKind);
            var left = copy.Length - offset;
            if (size < 0)
            {
                if (ReadVarint(copy.AsSpan(offset), out var declared, out read) is { } badLength)
                {
                    return $"bad {protocol.Name} value length at byte {offset}: {badLength}";
                }

                offset += read;
                left -= read;
                if (declared > (ulong)left)
                {
                    return $"{protocol.Name} value of {declared} bytes overruns the {left} bytes left";
                }

                size = (int)declared;
            }
            else if (size > left)
            {
                return $"{protocol.Name} value truncated: {size} bytes needed, {left} left";
            }

            var value = copy.AsMemory(offset, size);
            offset += size;
            if (MultiaddrValue.Validate(protocol, value.Span) is { } badValue)
            {
                return badValue;
            }

            components.Add(new MultiaddrComponent(protocol, copy.AsMemory(start, offset - start), value));
        }

        result = new Multiaddr(copy, [.. components]);
        return null;
    }

    private static string? ReadVarint(ReadOnlySpan<byte> bytes, out ulong value, out int read)
    {
        try
        {
            value = Varint.Read(bytes, out read);
            return null;
        }
        catch (FilecoinFormatException e)
        {
            value = 0;
            read = 0;
            return e.Message;
        }
    }
}
