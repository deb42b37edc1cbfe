using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Host;

/// <summary>
/// One libp2p stream after protocol negotiation: a duplex <see cref="Stream"/> over a yamux stream, with flow
/// control and back-pressure. One reader and one writer may run concurrently. <see cref="CloseWriteAsync"/>
/// half-closes (FIN; the peer then reads to the end, this side can still read); <see cref="Reset"/> aborts both
/// ways; disposing closes both ways and drops unread bytes. Reads after a reset throw
/// <see cref="YamuxStreamResetException"/>, and reads or writes after the connection died throw
/// <see cref="YamuxSessionClosedException"/> (both are <see cref="IOException"/>s).
/// </summary>
public sealed class Libp2pStream : Stream
{
    private readonly YamuxStream _inner;

    internal Libp2pStream(YamuxStream inner, string protocol, Libp2pConnection connection)
    {
        _inner = inner;
        Protocol = protocol;
        Connection = connection;
    }

    /// <summary>The negotiated protocol id.</summary>
    public string Protocol { get; }

    /// <summary>The connection that carries the stream.</summary>
    public Libp2pConnection Connection { get; }

    /// <summary>The peer at the other end.</summary>
    public PeerId RemotePeer => Connection.RemotePeer;

    /// <summary>The peer's address (with <c>/p2p/</c>), see <see cref="Libp2pConnection.RemoteAddress"/>.</summary>
    public Multiaddr RemoteAddress => Connection.RemoteAddress;

    /// <summary>Outbound when this host opened the stream.</summary>
    public ConnectionDirection Direction => _inner.IsOutbound ? ConnectionDirection.Outbound : ConnectionDirection.Inbound;

    /// <summary>The yamux stream id (odd when the connection's dialer opened it).</summary>
    public uint StreamId => _inner.Id;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Half-closes: sends FIN. Writing afterwards throws; reading goes on until the peer's FIN.</summary>
    public Task CloseWriteAsync() => _inner.CloseWriteAsync();

    /// <summary>Aborts the stream both ways (yamux RST); pending and later reads and writes throw.</summary>
    public void Reset() => _inner.Reset();

    /// <inheritdoc />
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    /// <summary>Writes are queued as they happen; nothing to flush.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override string ToString() => $"{Protocol} stream {StreamId} with {RemotePeer}";

    /// <summary>Closes both ways (FIN if not sent yet); unread and later incoming bytes are dropped.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
