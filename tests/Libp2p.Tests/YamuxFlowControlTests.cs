using System.Security.Cryptography;
using Granary.Libp2p.Tests.Support;
using Granary.Libp2p.Yamux;
using static Granary.Libp2p.Tests.Support.YamuxRawFrame;

namespace Granary.Libp2p.Tests;

/// <summary>Per-stream windows: the sender never exceeds them, the receiver enforces and re-opens them, auto-tuning.</summary>
public sealed class YamuxFlowControlTests
{
    private const int Window = 256 * 1024;
    private static readonly TimeSpan Guard = YamuxSessionPair.Guard;

    [Fact]
    public async Task A_writer_sends_exactly_the_window_then_waits_until_the_peer_grants_more()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        var stream = await raw.Session.OpenStreamAsync();
        var open = await raw.Raw.ReadAsync();
        Assert.Equal((WindowUpdate, Syn, 2u, 0u), (open!.Type, open.Flags, open.StreamId, open.Length));
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Ack, 2, 0));

        var data = RandomNumberGenerator.GetBytes(1024 * 1024);
        var writing = stream.WriteAsync(data).AsTask();
        var received = new MemoryStream();

        await ReceiveDataAsync(raw.Raw, received, Window);
        Assert.Equal(Window, received.Length);
        Assert.DoesNotContain(await raw.Raw.BarrierAsync(), f => f.Type == Data);
        Assert.False(writing.IsCompleted);
        Assert.Equal(0, stream.SendWindow);

        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, 0, 2, 100_000));
        await ReceiveDataAsync(raw.Raw, received, Window + 100_000);
        Assert.DoesNotContain(await raw.Raw.BarrierAsync(2), f => f.Type == Data);
        Assert.False(writing.IsCompleted);

        // Deltas up to uint.MaxValue add up without overflowing.
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, 0, 2, uint.MaxValue));
        await ReceiveDataAsync(raw.Raw, received, data.Length);
        await writing.WaitAsync(Guard);
        Assert.Equal(data, received.ToArray());
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, 0, 2, uint.MaxValue));
        await raw.Raw.BarrierAsync(3);
        Assert.Equal(Window + 100_000 + 2L * uint.MaxValue - data.Length, stream.SendWindow);
    }

    [Fact]
    public async Task A_larger_initial_window_is_announced_in_the_syn_and_in_the_ack()
    {
        const int initial = 1024 * 1024;
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, InitialWindow = initial };
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true, options);
        var opened = await raw.Session.OpenStreamAsync();
        var syn = await raw.Raw.ReadAsync();
        Assert.Equal((WindowUpdate, Syn, 1u, (uint)(initial - Window)), (syn!.Type, syn.Flags, syn.StreamId, syn.Length));

        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Syn, 2, 0));
        var accepted = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        var ack = await raw.Raw.ReadAsync();
        Assert.Equal((WindowUpdate, Ack, 2u, (uint)(initial - Window)), (ack!.Type, ack.Flags, ack.StreamId, ack.Length));

        // Both may now receive the whole 1 MiB in one frame.
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(Ack, 1, new byte[initial]), YamuxRawPeer.DataFrame(0, 2, new byte[initial]));
        await raw.Raw.BarrierAsync();
        Assert.Equal(initial, opened.BufferedBytes);
        Assert.Equal(initial, accepted.BufferedBytes);
        Assert.False(raw.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task Frames_never_exceed_MaxFrameSize()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true, new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxFrameSize = 10_000 });
        var stream = await raw.Session.OpenStreamAsync();
        await stream.WriteAsync(new byte[95_000]);
        var (_, frames) = await raw.Raw.ReadUntilAsync(f => f.Type == Data && f.Length < 10_000);
        Assert.All(frames.Where(f => f.Type == Data), f => Assert.Equal(10_000u, f.Length));
        Assert.Equal(9, frames.Count(f => f.Type == Data));
    }

    [Fact]
    public async Task The_receiver_buffers_at_most_the_window_and_reopens_it_as_the_application_reads()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        var data = RandomNumberGenerator.GetBytes(Window);

        // One DATA|SYN frame of the whole 256 KiB window (well over 64 KiB).
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(Syn, 1, data));
        var stream = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        var before = await raw.Raw.BarrierAsync();
        Assert.Equal(Window, stream.BufferedBytes);
        Assert.Equal(Window, stream.ReceiveWindow);
        var ack = Assert.Single(before);
        Assert.Equal((WindowUpdate, Ack, 1u, 0u), (ack.Type, ack.Flags, ack.StreamId, ack.Length));

        var read = new byte[Window];
        var granted = 0L;
        for (var offset = 0; offset < Window;)
        {
            var n = await stream.ReadAsync(read.AsMemory(offset, Math.Min(10_000, Window - offset)));
            offset += n;
            Assert.InRange(stream.BufferedBytes, 0, stream.ReceiveWindow);
        }

        Assert.Equal(data, read);
        foreach (var update in await raw.Raw.BarrierAsync(2))
        {
            Assert.Equal((WindowUpdate, (ushort)0, 1u), (update.Type, update.Flags, update.StreamId));
            granted += update.Length;
        }

        // The update goes out once half the window was read (10,000-byte reads: at 140,000 bytes), topping the
        // peer's window up to 256 KiB minus what is still buffered at that moment. No RTT is known (no ping yet),
        // so no auto-tuning.
        Assert.Equal(140_000, granted);
        Assert.Equal(Window, stream.ReceiveWindow);

        // The peer may use the re-opened window at once; one byte more is too much.
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(0, 1, data.AsSpan(0, (int)granted)));
        await raw.Raw.BarrierAsync(3);
        Assert.Equal(granted, stream.BufferedBytes);
        Assert.False(raw.Session.Completion.IsCompleted);
        await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(0, 1, new byte[1]));
        Assert.IsType<YamuxProtocolException>(await raw.EndAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Data_beyond_the_window_is_a_protocol_error_answered_with_go_away(bool inOneFrame)
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false);
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Syn, 1, 0));
        if (inOneFrame)
        {
            await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(0, 1, new byte[Window + 1]));
        }
        else
        {
            await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(0, 1, new byte[Window - 10]), YamuxRawPeer.DataFrame(0, 1, new byte[11]));
        }

        var (goAway, _) = await raw.Raw.ReadUntilAsync(f => f.Type == GoAway);
        Assert.Equal(1u, goAway.Length);
        Assert.Equal(0u, goAway.StreamId);
        var reason = Assert.IsType<YamuxProtocolException>(await raw.EndAsync());
        Assert.Contains("window", reason.Message);
        Assert.Null(await raw.Raw.ReadAsync());
    }

    [Fact]
    public async Task A_data_frame_larger_than_any_window_we_grant_is_refused_even_for_an_unknown_stream()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false, new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxWindow = 1024 * 1024 });
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(Data, 0, 41, 1024 * 1024 + 1));
        var (goAway, _) = await raw.Raw.ReadUntilAsync(f => f.Type == GoAway);
        Assert.Equal(1u, goAway.Length);
        Assert.Contains("largest receive window", Assert.IsType<YamuxProtocolException>(await raw.EndAsync()).Message);
    }

    [Fact]
    public async Task Auto_tuning_doubles_a_window_used_up_within_a_few_rtts_up_to_MaxWindow()
    {
        const int max = 1024 * 1024;
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: false, new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxWindow = max });

        // An RTT of ~300 ms (the raw peer answers the ping late) makes any loopback transfer "fast".
        var ping = raw.Session.PingAsync();
        var (syn, _) = await raw.Raw.ReadUntilAsync(f => f.Type == Ping);
        await Task.Delay(300);
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(Ping, Ack, 0, syn.Length));
        Assert.True(await ping.WaitAsync(Guard) >= TimeSpan.FromMilliseconds(250));

        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Syn, 1, 0));
        var stream = await raw.Session.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        long window = Window;
        var windows = new List<int>();
        for (var round = 0; round < 6; round++)
        {
            // Use the whole window the peer granted, let the application read it, collect the updates.
            await raw.Raw.SendAsync(YamuxRawPeer.DataFrame(0, 1, new byte[window]));
            await SessionReadsAsync(stream, (int)window);
            window = 0;
            foreach (var update in (await raw.Raw.BarrierAsync((uint)round + 10)).Where(f => f.Type == WindowUpdate))
            {
                window += update.Length;
            }

            windows.Add(stream.ReceiveWindow);
            Assert.InRange(window, 1, stream.ReceiveWindow);
        }

        Assert.Equal(2 * Window, windows[0]);
        Assert.Equal(max, windows[^1]);
        Assert.All(windows, w => Assert.InRange(w, Window, max));
        Assert.False(raw.Session.Completion.IsCompleted);
    }

    [Fact]
    public async Task Between_two_sessions_a_reader_that_does_not_read_stalls_the_writer_at_one_window()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (writer, reader) = await pair.OpenAsync(pair.Client);
        var data = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var writing = writer.WriteAsync(data).AsTask();

        await YamuxEventually.TrueAsync(() => reader.BufferedBytes == Window, Guard);
        await pair.Server.PingAsync().WaitAsync(Guard);
        Assert.Equal(Window, reader.BufferedBytes);
        Assert.False(writing.IsCompleted);
        Assert.Equal(0, writer.SendWindow);

        var received = new byte[data.Length];
        for (var offset = 0; offset < data.Length;)
        {
            offset += await reader.ReadAsync(received.AsMemory(offset, Math.Min(50_000, data.Length - offset))).AsTask().WaitAsync(Guard);
            Assert.InRange(reader.BufferedBytes, 0, reader.ReceiveWindow);
        }

        await writing.WaitAsync(Guard);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task A_stalled_stream_does_not_hold_up_the_others()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (stalledWriter, stalledReader) = await pair.OpenAsync(pair.Client);
        var stalled = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
        var stalledWrite = stalledWriter.WriteAsync(stalled).AsTask();
        await YamuxEventually.TrueAsync(() => stalledReader.BufferedBytes == Window, Guard);

        // Meanwhile another stream moves 4 MiB each way.
        var (a, b) = await pair.OpenAsync(pair.Server);
        var data = RandomNumberGenerator.GetBytes(4 * 1024 * 1024);
        var toB = Task.Run(async () => { await a.WriteAsync(data); await a.CloseWriteAsync(); });
        var toA = Task.Run(async () => { await b.WriteAsync(data); await b.CloseWriteAsync(); });
        var atB = YamuxSessionTests.ReadToEndAsync(b);
        var atA = YamuxSessionTests.ReadToEndAsync(a);
        Assert.Equal(data, await atB.WaitAsync(Guard));
        Assert.Equal(data, await atA.WaitAsync(Guard));
        await Task.WhenAll(toA, toB).WaitAsync(Guard);
        Assert.False(stalledWrite.IsCompleted);

        var received = new byte[stalled.Length];
        await stalledReader.ReadExactlyAsync(received).AsTask().WaitAsync(Guard);
        await stalledWrite.WaitAsync(Guard);
        Assert.Equal(stalled, received);
    }

    [Fact]
    public async Task Opening_waits_while_MaxAckBacklog_streams_are_unacknowledged()
    {
        await using var raw = await YamuxRawSession.StartAsync(sessionIsClient: true, new YamuxOptions { KeepAliveInterval = TimeSpan.Zero, MaxAckBacklog = 4 });
        var opened = new List<YamuxStream>();
        for (var i = 0; i < 4; i++)
        {
            opened.Add(await raw.Session.OpenStreamAsync().AsTask().WaitAsync(Guard));
        }

        // Data may go out before the ACK.
        await opened[0].WriteAsync("early"u8.ToArray());
        var fifth = raw.Session.OpenStreamAsync().AsTask();
        var frames = await raw.Raw.BarrierAsync();
        Assert.Equal([1u, 3u, 5u, 7u], frames.Where(f => f.Has(Syn)).Select(f => f.StreamId));
        Assert.Contains(frames, f => f.Type == Data && f.StreamId == 1 && f.Payload.SequenceEqual("early"u8.ToArray()));
        Assert.False(fifth.IsCompleted);

        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Ack, 3, 0));
        Assert.Equal(9u, (await fifth.WaitAsync(Guard)).Id);

        // A refused (RST) stream frees its slot too.
        var sixth = raw.Session.OpenStreamAsync().AsTask();
        await raw.Raw.BarrierAsync(2);
        Assert.False(sixth.IsCompleted);
        await raw.Raw.SendAsync(YamuxRawPeer.Frame(WindowUpdate, Rst, 5, 0));
        Assert.Equal(11u, (await sixth.WaitAsync(Guard)).Id);
        await Assert.ThrowsAsync<YamuxStreamResetException>(async () => await opened[2].WriteAsync(new byte[1]));
    }

    private static async Task ReceiveDataAsync(YamuxRawPeer raw, MemoryStream received, int total)
    {
        while (received.Length < total)
        {
            var frame = await raw.ReadAsync() ?? throw new EndOfStreamException();
            if (frame.Type == Data)
            {
                Assert.InRange(frame.Payload.Length, 1, total - received.Length);
                received.Write(frame.Payload);
            }
        }
    }

    private static async Task SessionReadsAsync(YamuxStream stream, int count)
    {
        var buffer = new byte[64 * 1024];
        while (count > 0)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, count))).AsTask().WaitAsync(Guard);
            count -= n;
        }
    }
}
