using System.Diagnostics;

namespace Granary.Libp2p.Yamux;

/// <summary>The read loop: parses frames and routes them to streams, pings and GO_AWAY handling.</summary>
public sealed partial class YamuxSession
{
    private async Task ReadLoopAsync()
    {
        using var reader = new YamuxFrameReader(_connection, ReadBufferSize);
        var ct = _readCancel.Token;
        try
        {
            while (true)
            {
                if (await reader.ReadHeaderAsync(ct).ConfigureAwait(false) is not { } header)
                {
                    OnConnectionEnded();
                    return;
                }

                switch (header.Type)
                {
                    case YamuxFrameType.Data:
                        await OnDataAsync(reader, header, ct).ConfigureAwait(false);
                        break;
                    case YamuxFrameType.WindowUpdate:
                        OnWindowUpdate(header);
                        break;
                    case YamuxFrameType.Ping:
                        OnPing(header);
                        break;
                    default:
                        OnGoAway(header);
                        break;
                }
            }
        }
        catch (Exception ex)
        {
            if (IsClosed)
            {
                // Closing cancelled the read or disposed the connection under it.
                return;
            }

            switch (ex)
            {
                // Yamux's own violations and those of the layer below (a Noise frame that fails
                // authentication) are the peer's fault, not ours.
                case Libp2pProtocolException:
                    _logger.ProtocolError(_role, ex.Message);
                    Close(ex, YamuxGoAwayCode.ProtocolError, graceful: false);
                    break;
                case IOException or ObjectDisposedException or OperationCanceledException:
                    _logger.ConnectionFailed(_role, ex);
                    Close(ex, goAway: null, graceful: false);
                    break;
                default:
                    _logger.InternalError(_role, ex);
                    Close(ex, YamuxGoAwayCode.InternalError, graceful: false);
                    break;
            }
        }
    }

    private void OnConnectionEnded()
    {
        Exception? reason;
        lock (_gate)
        {
            reason = _remoteGoAway switch
            {
                YamuxGoAwayCode.Normal => null,
                { } code => new YamuxSessionClosedException($"yamux: the peer sent GO_AWAY ({code}) and closed the connection"),
                null when _localGoAway => null,
                null => new YamuxSessionClosedException("yamux: the connection ended without a GO_AWAY"),
            };
        }

        Close(reason, goAway: null, graceful: true);
    }

    private async ValueTask OnDataAsync(YamuxFrameReader reader, YamuxFrameHeader header, CancellationToken ct)
    {
        // No window we grant is larger, so no honest frame is either; refuse before reading a byte of it.
        if (header.Length > (uint)Options.MaxWindow)
        {
            throw new YamuxProtocolException($"{header} exceeds the largest receive window this session grants ({Options.MaxWindow})");
        }

        var stream = Route(header);
        if (stream is not null && !stream.TryReserve(header.Length, out var available, out var afterFin))
        {
            throw new YamuxProtocolException(afterFin
                ? $"{header} carries data after the peer's FIN on that stream"
                : $"{header} overruns the stream's receive window: only {available} bytes were granted");
        }

        var remaining = (int)header.Length;
        while (remaining > 0)
        {
            var chunk = await reader.ReadPayloadAsync(remaining, header, ct).ConfigureAwait(false);
            stream?.OnData(chunk.Span);
            remaining -= chunk.Length;
        }

        if (stream is not null)
        {
            ApplyCloseFlags(stream, header.Flags);
        }
    }

    private void OnWindowUpdate(YamuxFrameHeader header)
    {
        if (Route(header) is not { } stream)
        {
            return;
        }

        if (header.Length > 0)
        {
            stream.OnWindowUpdate(header.Length);
        }

        ApplyCloseFlags(stream, header.Flags);
    }

    private static void ApplyCloseFlags(YamuxStream stream, YamuxFlags flags)
    {
        if ((flags & YamuxFlags.Rst) != 0)
        {
            stream.OnRemoteReset();
        }
        else if ((flags & YamuxFlags.Fin) != 0)
        {
            stream.OnRemoteFin();
        }
    }

    /// <summary>
    /// The stream a DATA or WINDOW_UPDATE frame is for: a new inbound one on SYN, null when the frame is for no
    /// open stream (ignored) or the open was refused.
    /// </summary>
    private YamuxStream? Route(YamuxFrameHeader header)
    {
        if (header.StreamId == 0)
        {
            throw new YamuxProtocolException($"{header} on stream 0, which only carries PING and GO_AWAY");
        }

        YamuxStream? stream;
        if ((header.Flags & YamuxFlags.Syn) != 0)
        {
            stream = OpenInbound(header);
        }
        else
        {
            lock (_gate)
            {
                _streams.TryGetValue(header.StreamId, out stream);
            }

            if (stream is null)
            {
                _logger.FrameIgnored(header);
            }
        }

        if (stream is not null && (header.Flags & YamuxFlags.Ack) != 0)
        {
            stream.OnAck();
        }

        return stream;
    }

    private YamuxStream? OpenInbound(YamuxFrameHeader header)
    {
        var id = header.StreamId;
        if ((id % 2 == 1) == IsClient)
        {
            throw new YamuxProtocolException($"{header} opens a stream with an id of this side's parity ({(IsClient ? "odd" : "even")} ids are the {_role}'s)");
        }

        YamuxStream? stream = null;
        string? refusal = null;
        lock (_gate)
        {
            if (_streams.ContainsKey(id))
            {
                throw new YamuxProtocolException($"{header} opens stream {id}, which is already open");
            }

            if (_localGoAway || _closed)
            {
                refusal = "this session sent GO_AWAY";
            }
            else if (_inboundStreams >= Options.MaxStreams)
            {
                refusal = $"{_inboundStreams} inbound streams are open, the limit is {Options.MaxStreams}";
            }
            else
            {
                stream = new YamuxStream(this, id, isOutbound: false, Options.InitialWindow);
                _streams.Add(id, stream);
                _inboundStreams++;
            }
        }

        if (stream is null)
        {
            _logger.StreamRefused(id, refusal!);
            Writer.TryEnqueue(new(YamuxFrameType.WindowUpdate, YamuxFlags.Rst, id, 0));
            return null;
        }

        _accepted.Writer.TryWrite(stream);
        return stream;
    }

    private void OnPing(YamuxFrameHeader header)
    {
        if ((header.Flags & YamuxFlags.Syn) != 0)
        {
            Writer.TryEnqueue(new(YamuxFrameType.Ping, YamuxFlags.Ack, 0, header.Length));
            return;
        }

        if ((header.Flags & YamuxFlags.Ack) == 0)
        {
            return;
        }

        bool pending;
        (TaskCompletionSource<TimeSpan> Answer, long Sent) ping;
        lock (_gate)
        {
            pending = _pings.Remove(header.Length, out ping);
        }

        if (!pending)
        {
            _logger.UnsolicitedPingAck(header.Length);
            return;
        }

        var rtt = Math.Max(Stopwatch.GetTimestamp() - ping.Sent, 1);
        Volatile.Write(ref _rttTicks, rtt);
        ping.Answer.TrySetResult(Stopwatch.GetElapsedTime(0, rtt));
    }

    private void OnGoAway(YamuxFrameHeader header)
    {
        var code = (YamuxGoAwayCode)header.Length;
        TaskCompletionSource? freed;
        lock (_gate)
        {
            _remoteGoAway ??= code;
            freed = _backlogFreed;
            _backlogFreed = null;
        }

        _logger.RemoteGoAway(code);

        // Openers waiting for the ACK backlog wake up and see the GO_AWAY.
        freed?.TrySetResult();
    }
}
