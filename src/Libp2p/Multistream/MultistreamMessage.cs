using System.Text;
using Granary.Filecoin.Encoding;

namespace Granary.Libp2p.Multistream;

/// <summary>
/// multistream-select 1.0 framing: <c>uvarint(len) ‖ utf8(text) ‖ '\n'</c>, len counting the newline, and the fixed
/// messages precomputed so that negotiation writes them without encoding.
/// </summary>
internal static class MultistreamMessage
{
    /// <summary>js and go read at most 2 length-prefix bytes.</summary>
    public const int MaxPrefixBytes = 2;

    /// <summary>The largest length a 2-byte uvarint can carry (the limit for an <c>ls</c> reply).</summary>
    public const int MaxLength = (1 << 14) - 1;

    /// <summary>Largest proposal/answer: a <see cref="MultistreamSelect.MaxProtocolLength"/>-byte id and its newline.</summary>
    public const int MaxProtocolMessageLength = MultistreamSelect.MaxProtocolLength + 1;

    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary><c>13 "/multistream/1.0.0\n"</c>.</summary>
    public static ReadOnlySpan<byte> Header => "\u0013/multistream/1.0.0\n"u8;

    /// <summary><c>03 "na\n"</c>.</summary>
    public static ReadOnlySpan<byte> Na => "\u0003na\n"u8;

    /// <summary><c>03 "ls\n"</c>.</summary>
    public static ReadOnlySpan<byte> Ls => "\u0003ls\n"u8;

    /// <summary>
    /// The UTF-8 length of a protocol id we are about to send or list.
    /// </summary>
    /// <exception cref="ArgumentException">Empty, over <see cref="MultistreamSelect.MaxProtocolLength"/> bytes,
    /// containing a newline, or not encodable as UTF-8.</exception>
    public static int ValidateProtocolId(string? protocol, string paramName)
    {
        if (string.IsNullOrEmpty(protocol))
        {
            throw new ArgumentException("a protocol id must not be empty", paramName);
        }

        if (protocol.Contains('\n'))
        {
            throw new ArgumentException($"protocol id '{protocol}' contains a newline", paramName);
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(protocol);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"protocol id '{protocol}' is not valid Unicode", paramName, e);
        }

        return bytes <= MultistreamSelect.MaxProtocolLength
            ? bytes
            : throw new ArgumentException($"protocol id of {bytes} bytes is longer than {MultistreamSelect.MaxProtocolLength}", paramName);
    }

    /// <summary>The framed size of a message whose text is <paramref name="textBytes"/> long.</summary>
    public static int FrameLength(int textBytes) => Varint.Size((ulong)textBytes + 1) + textBytes + 1;

    /// <summary>Frames a validated text; returns the bytes written.</summary>
    public static int Write(string text, int textBytes, Span<byte> destination)
    {
        var n = Varint.Write((ulong)textBytes + 1, destination);
        n += StrictUtf8.GetBytes(text, destination[n..]);
        destination[n++] = (byte)'\n';
        return n;
    }

    /// <summary>Printable rendering of untrusted bytes for exception messages (at most 64 bytes).</summary>
    public static string Excerpt(ReadOnlySpan<byte> bytes)
    {
        const int max = 64;
        var builder = new StringBuilder("'");
        foreach (var b in bytes[..Math.Min(bytes.Length, max)])
        {
            _ = b switch
            {
                (byte)'\n' => builder.Append("\\n"),
                (byte)'\r' => builder.Append("\\r"),
                (byte)'\'' or (byte)'\\' => builder.Append('\\').Append((char)b),
                >= 0x20 and < 0x7f => builder.Append((char)b),
                _ => builder.Append($"\\x{b:x2}"),
            };
        }

        builder.Append('\'');
        if (bytes.Length > max)
        {
            builder.Append($"… ({bytes.Length} bytes)");
        }

        return builder.ToString();
    }
}
