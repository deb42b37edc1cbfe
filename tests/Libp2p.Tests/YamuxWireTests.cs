using System.Text;
using Granary.Libp2p.Tests.Support;
using Granary.Libp2p.Yamux;
using static Granary.Libp2p.Tests.Support.YamuxRawFrame;

namespace Granary.Libp2p.Tests;

/// <summary>
/// Our session against a hand-written peer: the frames it sends, and how it treats what js-libp2p sends (and what
/// a broken or hostile peer sends).
/// </summary>
public sealed class YamuxWireTests
{
    private static readonly TimeSpan Guard = YamuxSessionPair.Guard;

    [Fact]
    public async Task Answers_ping_syn_with_an_ack_echoing_the_opaque_and_never_acks_unasked()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true);
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(Ping, Syn, 0, 0xdeadbeef));
        var ack = await raw.Raw.ReadAsync();
        Assert.Equal((Ping, Ack, 0u, 0xdeadbeefu), (ack!.Type, ack.Flags, ack.StreamId, ack.Length));

        // An unsolicited ACK gets no answer (and does not break anything): the next frame is the barrier's ACK.
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(Ping, Ack, 0, 77));
        Assert.Empty(await raw.Raw.BarrierAsync(78));
    }

    [Fact]
    public async Task Ping_rtt_is_measured_against_the_raw_peers_answer()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true);
        var ping = raw.Session.PingAsync();
        var syn = await raw.Raw.ReadAsync();
        Assert.Equal((Ping, Syn, 0u), (syn!.Type, syn.Flags, syn.StreamId));

        // A wrong opaque does not answer the ping.
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(Ping, Ack, 0, syn.Length + 1));
        await raw.Raw.BarrierAsync();
        Assert.False(ping.IsCompleted);
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(Ping, Ack, 0, syn.Length));
        Assert.True(await ping.WaitAsync(Guard) > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_window_update_syn_of_length_0_opens_a_stream_like_js_does()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true);

        // As js's listener: open stream 2 with WINDOW_UPDATE|SYN len 0, then the multistream lines in their own frames.
        await raw.Raw.SendAsync(
            YamuxRawPeer.Frame(WindowUpdate, Syn, 2, 0),
            YamuxRawPeer.DataFrame(0, 2, "\u0013/multistream/1.0.0\n"u8),
            YamuxRawPeer.DataFrame(0, 2, "\u000f/ipfs/id/1.0.0\n"u8));
        var stream = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(2u, stream.Id);
        Assert.Equal("\u0013/multistream/1.0.0\n\u000f/ipfs/id/1.0.0\n", Encoding.ASCII.GetString(await YamuxSessionTests.ReadExactlyAsync(stream, 36)));

        await stream.WriteAsync("reply"u8.ToArray());
        var frames = await raw.Raw.BarrierAsync();
        Assert.Equal((WindowUpdate, Ack, 2u), (frames[0].Type, frames[0].Flags, frames[0].StreamId));
        Assert.Equal((Data, (ushort)0, 2u), (frames[1].Type, frames[1].Flags, frames[1].StreamId));
        Assert.Equal("reply"u8.ToArray(), frames[1].Payload);
    }

    [Fact]
    public async Task Fin_and_rst_arriving_on_window_update_frames_close_and_reset_streams()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(Syn, 1, "hello"u8), YamuxRawPeer.Frame(WindowUpdate, Fin, 1, 0));
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(Syn, 3, "doomed"u8), YamuxRawPeer.Frame(WindowUpdate, Rst, 3, 0));
        var finished = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        Assert.Equal("hello"u8.ToArray(), await YamuxSessionTests.ReadToEndAsync(finished).WaitAsync(Guard));

        // Stream 3 was reset before it was accepted: it is skipped. Stream 5 comes next.
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Syn, 5, 0));
        await raw.Raw.BarrierAsync(1);
        var next = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(5u, next.Id);
        var pending = next.ReadAsync(new byte[10]).AsTask();
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Rst, 5, 0));
        Assert.True((await Assert.ThrowsAsync<YamuxStreamResetException>(() => pending.WaitAsync(Guard))).ByRemote);

        // Our FIN goes out as WINDOW_UPDATE|FIN; after both FINs the stream is gone.
        await finished.CloseWriteAsync();
        var fin = (await raw.Raw.BarrierAsync()).Single(f => f.StreamId == 1 && f.Has(Fin));
        Assert.Equal((WindowUpdate, 0u), (fin.Type, fin.Length));
        Assert.Equal(0, raw.Session.ActiveStreams);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(5000)]
    public async Task Data_frames_over_64_KiB_arriving_in_reads_of_any_size_are_reassembled_exactly(int maxRead)
    {
        var first = new byte[190_000]; // both frames together fit the 256 KiB window
        var second = new byte[70_003];
        new Random(maxRead).NextBytes(first);
        new Random(maxRead + 1).NextBytes(second);
        byte[] script = [
            .. YamuxRawPeer.DataFrame(Syn, 1, first),
            .. YamuxRawPeer.DataFrame(Fin, 1, second),
            .. YamuxRawPeer.Frame(GoAway, 0, 0, 0)];
        var connection = new YamuxScriptedConnection(script, seed: maxRead, maxChunk: maxRead);
        await using var session = new YamuxSession(connection, isClient: false, YamuxSessionPair.Quiet);

        var stream = await session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        var received = await YamuxSessionTests.ReadToEndAsync(stream).WaitAsync(Guard);
        Assert.Equal([.. first, .. second], received);
        await session.Completion.WaitAsync(Guard);
    }

    [Fact]
    public async Task Frames_for_unknown_stream_ids_are_ignored_and_their_payload_skipped()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        await raw.Raw.SendAsync(
            YamuxRawPeer.Frame(WindowUpdate, 0, 99, 1000),
            YamuxRawPeer.DataFrame(0, 77, Encoding.ASCII.GetBytes(new string('x', 1000))),
            YamuxRawPeer.Frame(WindowUpdate, Fin, 55, 0),
            YamuxRawPeer.Frame(WindowUpdate, Rst, 57, 0),
            YamuxRawPeer.Frame(WindowUpdate, Ack, 8, 0),
            YamuxRawPeer.DataFrame(Fin, 59, "late data for a closed stream"u8),
            YamuxRawPeer.DataFrame(Syn, 1, "after the noise"u8));
        var stream = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(1u, stream.Id);
        Assert.Equal("after the noise"u8.ToArray(), await YamuxSessionTests.ReadExactlyAsync(stream, 15));

        // A closed stream's id is unknown too: frames after both FINs are ignored.
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Fin, 1, 0));
        await stream.CloseWriteAsync();
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, 0, 1, 262144), YamuxRawPeer.DataFrame(0, 1, "more"u8));
        Assert.DoesNotContain(await raw.Raw.BarrierAsync(), f => f.Type == GoAway || f.Has(Rst));
        Assert.False(raw.Session.Completion.IsCompleted);
        Assert.Equal(0, raw.Session.ActiveStreams);
    }

    [Fact]
    public async Task Inbound_streams_beyond_MaxStreams_get_rst_and_the_session_survives()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false, new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxStreams = 8 });
        var opens = Enumerable.Range(0, 12).Select(i => YamuxRawPeer.DataFrame(Syn, (uint)(2 * i + 1), "hi"u8)).ToArray();
        await raw.Raw.SendAsync(opens);
        var frames = await raw.Raw.BarrierAsync();
        Assert.Equal([17u, 19u, 21u, 23u], frames.Where(f => f.Has(Rst)).Select(f => f.StreamId));
        Assert.All(frames.Where(f => f.Has(Rst)), f => Assert.Equal(WindowUpdate, f.Type));
        Assert.Equal(8, raw.Session.ActiveStreams);

        var accepted = new List<YamuxStream>();
        for (var i = 0; i < 8; i++)
        {
            accepted.Add(await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard));
        }

        Assert.Equal(Enumerable.Range(0, 8).Select(i => (uint)(2 * i + 1)), accepted.Select(s => s.Id));

        // Once one closes, a new stream fits again.
        accepted[0].Reset();
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(Syn, 25, "hi"u8));
        var fresh = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        Assert.Equal(25u, fresh.Id);
        Assert.Equal("hi"u8.ToArray(), await YamuxSessionTests.ReadExactlyAsync(fresh, 2));
        Assert.False(raw.Session.Completion.IsCompleted);
    }

    public static TheoryData<string, byte[], string> ProtocolViolations => new()
    {
        { "unknown type", [0, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], "unknown frame type 4" },
        { "unknown version", [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0], "unsupported version 1" },
        { "SYN with our parity", YamuxRawPeer.Frame(WindowUpdate, Syn, 2, 0), "parity" },
        { "data on stream 0", YamuxRawPeer.DataFrame(0, 0, "x"u8), "stream 0" },
        { "SYN on a live stream", [.. YamuxRawPeer.Frame(WindowUpdate, Syn, 1, 0), .. YamuxRawPeer.Frame(WindowUpdate, Syn, 1, 0)], "already open" },
        { "data after FIN", [.. YamuxRawPeer.DataFrame(Syn | Fin, 1, "a"u8), .. YamuxRawPeer.DataFrame(0, 1, "b"u8)], "after the peer's FIN" },
    };

    [Theory]
    [MemberData(nameof(ProtocolViolations))]
    public async Task Protocol_violations_end_the_session_with_go_away_protocol_error(string what, byte[] bytes, string expected)
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        await raw.Raw.SendAsync(bytes);
        var (goAway, _) = await raw.Raw.ReadUntilAsync(f => f.Type == GoAway);
        Assert.Equal((0u, 1u), (goAway.StreamId, goAway.Length));
        var reason = Assert.IsType<YamuxProtocolException>(await raw.EndAsync());
        Assert.True(reason.Message.Contains(expected), $"{what}: {reason.Message}");
        Assert.Null(await raw.Raw.ReadAsync());
    }

    [Theory]
    [InlineData(5, "truncated frame header")]
    [InlineData(11, "truncated frame header")]
    [InlineData(12 + 40, "truncated payload")]
    public async Task A_connection_ending_inside_a_frame_is_a_protocol_error(int sent, string expected)
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        var stream = raw.Session.AcceptStreamAsync();
        var frame = YamuxRawPeer.DataFrame(Syn, 1, new byte[100]);
        await raw.Raw.SendAsync(frame[..sent]);
        raw.Raw.ShutdownWrite();
        var reason = Assert.IsType<YamuxProtocolException>(await raw.EndAsync());
        Assert.Contains(expected, reason.Message);
        Assert.IsAssignableFrom<Libp2pProtocolException>(reason);
        if (sent > 12)
        {
            // The stream was opened and got the 40 bytes, then the session ended under it.
            var opened = await stream.AsTask().WaitAsync(Guard);
            Assert.Equal(40, (await YamuxSessionTests.ReadExactlyAsync(opened, 40)).Length);
            var closed = await Assert.ThrowsAsync<YamuxSessionClosedException>(() => opened.ReadAsync(new byte[1]).AsTask());
            Assert.IsType<YamuxProtocolException>(closed.InnerException);
        }
    }

    [Fact]
    public async Task A_connection_ending_between_frames_without_go_away_fails_the_open_streams()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true);
        var stream = await raw.Session.OpenStreamAsync();
        var reading = stream.ReadAsync(new byte[1]).AsTask();
        raw.Raw.ShutdownWrite();
        var reason = Assert.IsType<YamuxSessionClosedException>(await raw.EndAsync());
        Assert.Contains("without a GO_AWAY", reason.Message);
        Assert.Same(reason, (await Assert.ThrowsAsync<YamuxSessionClosedException>(() => reading.WaitAsync(Guard))).InnerException);
    }

    [Fact]
    public async Task A_peers_go_away_stops_new_streams_and_its_end_of_connection_is_orderly()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true);
        var stream = await raw.Session.OpenStreamAsync();
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Ack, 1, 0), YamuxRawPeer.Frame(GoAway, 0, 0, 0));
        await raw.Raw.BarrierAsync();
        Assert.Equal(YamuxGoAwayCode.Normal, raw.Session.RemoteGoAway);
        await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await raw.Session.OpenStreamAsync());

        // The existing stream still carries data both ways.
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(Fin, 1, "bye"u8));
        Assert.Equal("bye"u8.ToArray(), await YamuxSessionTests.ReadToEndAsync(stream).WaitAsync(Guard));
        await stream.WriteAsync("ok"u8.ToArray());
        Assert.Contains(await raw.Raw.BarrierAsync(2), f => f.Type == Data && f.Payload.SequenceEqual("ok"u8.ToArray()));

        raw.Raw.ShutdownWrite();
        Assert.Null(await raw.EndAsync());
    }

    [Fact]
    public async Task Dispose_sends_go_away_normal_then_closes_the_connection()
    {
        var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        await raw.Session.DisposeAsync();
        var goAway = await raw.Raw.ReadAsync();
        Assert.Equal((GoAway, (ushort)0, 0u, 0u), (goAway!.Type, goAway.Flags, goAway.StreamId, goAway.Length));
        Assert.Null(await raw.Raw.ReadAsync());
        Assert.True(raw.Session.Completion.IsCompletedSuccessfully);
        await raw.DisposeAsync();
    }

    [Fact]
    public async Task An_unanswered_keepalive_ping_closes_the_session()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true, new YamuxOptions { KeepAliveInterval = TimeSpan.FromMilliseconds(200) });
        var ping = await raw.Raw.ReadAsync();
        Assert.Equal((Ping, Syn), (ping!.Type, ping.Flags));
        var reason = Assert.IsType<YamuxSessionClosedException>(await raw.EndAsync());
        Assert.Contains("keepalive", reason.Message);
    }
}
