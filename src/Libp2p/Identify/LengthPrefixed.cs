using Granary.Filecoin;
using Granary.Filecoin.Encoding;

namespace Granary.Libp2p.Identify;

/// <summary>
/// uvarint-length-prefixed messages on a stream (<c>it-length-prefixed</c> in js): <c>uvarint(len) ‖ bytes</c>,
/// minimal varint. The reader takes the prefix byte by byte and then exactly the body, so nothing after the
/// message is consumed.
/// </summary>
internal static class LengthPrefixed
{
    // 5 varint bytes hold 35 bits, more than any limit we use.
    private const int MaxPrefixBytes = 5;

    /// <summary>The message framed: prefix and body in one buffer (for a single write).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> body)
    {
        var framed = new byte[Varint.Size((ulong)body.Length) + body.Length];
        var n = Varint.Write((ulong)body.Length, framed);
        body.CopyTo(framed.AsSpan(n));
        return framed;
    }

    /// <summary>
    /// Reads one message of at most <paramref name="maxLength"/> bytes; null when the stream ends cleanly before
    /// its first byte.
    /// </summary>
    /// <exception cref="Libp2pProtocolException">Bad or over-long prefix, a length over the limit (refused before
    /// reading the body), or the stream ended inside the message.</exception>
    public static async ValueTask<byte[]?> ReadAsync(Stream stream, int maxLength, CancellationToken cancellationToken)
    {
        var prefix = new byte[MaxPrefixBytes];
        var count = 0;
        while (true)
        {
            if (await stream.ReadAsync(prefix.AsMemory(count, 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                return count == 0 ? null : throw new Libp2pProtocolException($"stream ended inside a length prefix ({count} bytes of it received)");
            }

            if ((prefix[count++] & 0x80) == 0)
            {
                break;
            }

            if (count == MaxPrefixBytes)
            {
                throw new Libp2pProtocolException($"length prefix is longer than {MaxPrefixBytes} bytes");
            }
        }

        ulong length;
        try
        {
            length = Varint.Read(prefix.AsSpan(0, count), out _);
        }
        catch (FilecoinFormatException e)
        {
            throw new Libp2pProtocolException($"bad length prefix: {e.Message}", e);
        }

        if (length > (ulong)maxLength)
        {
            throw new Libp2pProtocolException($"message of {length} bytes exceeds the limit of {maxLength} bytes");
        }

        var body = new byte[(int)length];
        var read = await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == body.Length
            ? body
            : throw new Libp2pProtocolException($"stream ended inside a {length}-byte message ({read} bytes of it received)");
    }
}
