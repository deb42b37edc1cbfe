using System.Buffers;
using System.Diagnostics;
using System.Text;
using Granary.Filecoin.Encoding;

namespace Granary.Libp2p.Multistream;

/// <summary>
/// One negotiation's view of a stream: reads one framed message at a time without ever reading past it (the
/// length prefix byte by byte, then exactly the message), so bytes pipelined after the negotiation stay in the
/// stream; and stages outgoing messages so that several go out in a single write. Buffers are pooled.
/// </summary>
internal sealed class MultistreamChannel(Stream stream) : IDisposable
{
    // Read and write regions of one pooled array; an ls reply larger than its region rents its own.
    private const int RegionSize = 2048;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(2 * RegionSize);
    private int _received;
    private int _prefixLength;
    private int _staged;
    private int _lastStart;
    private int _lastLength;

    /// <summary>The last message received, length prefix and newline included (or the bytes read so far, after a failure).</summary>
    public ReadOnlySpan<byte> Received => _buffer.AsSpan(0, _received);

    private Span<byte> WriteRegion => _buffer.AsSpan(RegionSize, RegionSize);

    /// <summary>Reads one message of at most <paramref name="maxLength"/> bytes (newline included).</summary>
    /// <exception cref="Libp2pProtocolException">Truncated, bad or over-long prefix, over the limit, or no trailing newline.</exception>
    public async ValueTask ReceiveAsync(int maxLength, CancellationToken cancellationToken)
    {
        _received = 0;
        var length = 0;
        for (var i = 0; ; i++)
        {
            if (i == MultistreamMessage.MaxPrefixBytes)
            {
                throw Malformed($"the length prefix is longer than {MultistreamMessage.MaxPrefixBytes} bytes");
            }

            if (await stream.ReadAsync(_buffer.AsMemory(_received, 1), cancellationToken).ConfigureAwait(false) == 0)
            {
                throw Malformed(i == 0 ? "the stream ended" : "the stream ended inside the length prefix");
            }

            var b = _buffer[_received++];
            length |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (b == 0 && i > 0)
                {
                    throw Malformed("the length prefix is not minimally encoded");
                }

                break;
            }
        }

        _prefixLength = _received;
        if (length == 0)
        {
            throw Malformed("an empty message (no newline)");
        }

        if (length > maxLength)
        {
            throw Malformed($"a message of {length} bytes, longer than the limit of {maxLength}");
        }

        // Callers cap maxLength at a proposal, so the read region always suffices.
        Debug.Assert(_prefixLength + length <= RegionSize, "message larger than the read region");
        var end = _prefixLength + length;
        while (_received < end)
        {
            var n = await stream.ReadAsync(_buffer.AsMemory(_received, end - _received), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw Malformed($"the stream ended after {_received - _prefixLength} of {length} message bytes");
            }

            _received += n;
        }

        if (_buffer[end - 1] != (byte)'\n')
        {
            throw Malformed("a message that does not end with a newline");
        }
    }

    /// <summary>Reads the first message and requires it to be the multistream header.</summary>
    public async ValueTask ReceiveHeaderAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReceiveAsync(MultistreamMessage.MaxProtocolMessageLength, cancellationToken).ConfigureAwait(false);
        }
        catch (MultistreamFramingException e)
        {
            throw new Libp2pProtocolException($"multistream: expected {MultistreamSelect.ProtocolId}, got {ReceivedExcerpt()} ({e.Reason})", e);
        }

        if (!ReceivedIs(MultistreamMessage.Header))
        {
            throw new Libp2pProtocolException($"multistream: expected {MultistreamSelect.ProtocolId}, got {ReceivedExcerpt()}");
        }
    }

    /// <summary>Whether the last message is exactly <paramref name="message"/> (prefix included).</summary>
    public bool ReceivedIs(ReadOnlySpan<byte> message) => Received.SequenceEqual(message);

    /// <summary>Whether the last message repeats the last staged one (the responder accepting our proposal).</summary>
    public bool ReceivedLastStaged() => Received.SequenceEqual(WriteRegion.Slice(_lastStart, _lastLength));

    /// <summary>The text of the last message, without prefix and newline.</summary>
    /// <exception cref="Libp2pProtocolException">Not valid UTF-8.</exception>
    public string ReceivedText()
    {
        try
        {
            return MultistreamMessage.StrictUtf8.GetString(_buffer, _prefixLength, _received - _prefixLength - 1);
        }
        catch (DecoderFallbackException e)
        {
            throw new Libp2pProtocolException($"multistream: the message {ReceivedExcerpt()} is not valid UTF-8", e);
        }
    }

    /// <summary>The last message (or what was read of it), printable.</summary>
    public string ReceivedExcerpt() => _received == 0 ? "nothing" : MultistreamMessage.Excerpt(Received);

    /// <summary>Queues precomputed bytes for the next <see cref="SendAsync"/>.</summary>
    public void Stage(ReadOnlySpan<byte> framed)
    {
        framed.CopyTo(WriteRegion[_staged..]);
        _staged += framed.Length;
    }

    /// <summary>Queues a validated protocol id and remembers it for <see cref="ReceivedLastStaged"/>.</summary>
    public void Stage(string protocol, int protocolBytes)
    {
        _lastStart = _staged;
        _lastLength = MultistreamMessage.Write(protocol, protocolBytes, WriteRegion[_staged..]);
        _staged += _lastLength;
    }

    /// <summary>Queues the last received message unchanged (the responder's echo that accepts a proposal).</summary>
    public void StageReceived() => Stage(Received);

    /// <summary>Writes everything staged in one write, then flushes.</summary>
    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_buffer.AsMemory(RegionSize, _staged), cancellationToken).ConfigureAwait(false);
        _staged = 0;
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the <c>ls</c> reply: one message whose body is <c>Σ(uvarint(len) id '\n')</c> followed by <c>'\n'</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid protocol id in the list.</exception>
    /// <exception cref="InvalidOperationException">The list does not fit in a 2-byte length prefix.</exception>
    public async ValueTask SendListAsync(IReadOnlyCollection<string> protocols, CancellationToken cancellationToken)
    {
        var body = 1;
        foreach (var protocol in protocols)
        {
            body += MultistreamMessage.FrameLength(MultistreamMessage.ValidateProtocolId(protocol, nameof(protocols)));
        }

        if (body > MultistreamMessage.MaxLength)
        {
            throw new InvalidOperationException($"the ls reply of {body} bytes does not fit a {MultistreamMessage.MaxPrefixBytes}-byte length prefix");
        }

        var frame = ArrayPool<byte>.Shared.Rent(MultistreamMessage.MaxPrefixBytes + body);
        try
        {
            var n = Varint.Write((ulong)body, frame);
            foreach (var protocol in protocols)
            {
                n += MultistreamMessage.Write(protocol, MultistreamMessage.StrictUtf8.GetByteCount(protocol), frame.AsSpan(n));
            }

            frame[n++] = (byte)'\n';
            await stream.WriteAsync(frame.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static MultistreamFramingException Malformed(string reason) => new(reason);
}
