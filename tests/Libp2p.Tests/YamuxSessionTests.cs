using System.Security.Cryptography;
using Granary.Libp2p.Tests.Support;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Tests;

/// <summary>Two of our sessions over loopback TCP: streams, echo, half-close, reset, ping, GO_AWAY, session end.</summary>
public sealed class YamuxSessionTests
{
    private static readonly TimeSpan Guard = YamuxSessionPair.Guard;

    [Fact]
    public async Task Streams_open_both_ways_with_client_odd_and_server_even_ids()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (c1, s1) = await pair.OpenAsync(pair.Client);
        var (c3, s3) = await pair.OpenAsync(pair.Client);
        var (s2, c2) = await pair.OpenAsync(pair.Server);
        var (s4, c4) = await pair.OpenAsync(pair.Server);

        Assert.Equal([1u, 3u, 2u, 4u], new[] { c1.Id, c3.Id, s2.Id, s4.Id });
        Assert.Equal([1u, 3u, 2u, 4u], new[] { s1.Id, s3.Id, c2.Id, c4.Id });
        Assert.True(c1.IsOutbound);
        Assert.False(s1.IsOutbound);
        Assert.Equal(4, pair.Client.ActiveStreams);
        Assert.Equal(4, pair.Server.ActiveStreams);

        // Each direction of each stream carries its own bytes.
        foreach (var (a, b) in new[] { (c1, s1), (s2, c2), (c3, s3), (s4, c4) })
        {
            await a.WriteAsync(BitConverter.GetBytes(a.Id));
            await b.WriteAsync(BitConverter.GetBytes(b.Id + 100));
            Assert.Equal(a.Id, BitConverter.ToUInt32(await ReadExactlyAsync(b, 4)));
            Assert.Equal(b.Id + 100, BitConverter.ToUInt32(await ReadExactlyAsync(a, 4)));
        }
    }

    [Fact]
    public async Task Echoes_10_MiB_on_one_stream_byte_for_byte()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var echo = EchoServerAsync(pair.Server, 1);
        var data = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        await using var stream = await pair.Client.OpenStreamAsync();

        var send = Task.Run(async () =>
        {
            // Uneven write sizes so frame boundaries fall everywhere.
            var random = new Random(7);
            for (var offset = 0; offset < data.Length;)
            {
                var n = Math.Min(random.Next(1, 300_000), data.Length - offset);
                await stream.WriteAsync(data.AsMemory(offset, n));
                offset += n;
            }

            await stream.CloseWriteAsync();
        });
        var echoed = await ReadToEndAsync(stream).WaitAsync(Guard);
        await send.WaitAsync(Guard);
        await echo.WaitAsync(Guard);

        Assert.Equal(data.Length, echoed.Length);
        Assert.True(data.AsSpan().SequenceEqual(echoed));
    }

    [Fact]
    public async Task Echoes_64_KiB_on_each_of_100_concurrent_streams()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var echo = EchoServerAsync(pair.Server, 100);
        var clients = Enumerable.Range(0, 100).Select(async i =>
        {
            var data = new byte[64 * 1024];
            new Random(i).NextBytes(data);
            await using var stream = await pair.Client.OpenStreamAsync();
            var reading = ReadToEndAsync(stream);
            await stream.WriteAsync(data);
            await stream.CloseWriteAsync();
            Assert.Equal(data, await reading);
            return stream.Id;
        }).ToList();

        var ids = await Task.WhenAll(clients).WaitAsync(Guard);
        await echo.WaitAsync(Guard);
        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Equal(1u, id % 2));
        Assert.Equal(0, pair.Client.ActiveStreams);
        Assert.Equal(0, pair.Server.ActiveStreams);
    }

    [Fact]
    public async Task Half_close_ends_reads_on_one_side_while_the_other_direction_keeps_working()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (client, server) = await pair.OpenAsync(pair.Client);

        await client.WriteAsync("request"u8.ToArray());
        await client.CloseWriteAsync();
        Assert.Equal("request"u8.ToArray(), await ReadToEndAsync(server).WaitAsync(Guard));
        Assert.Equal(0, await server.ReadAsync(new byte[10]));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await client.WriteAsync(new byte[1]));

        // The server's direction is still open after the client's FIN.
        await server.WriteAsync("response part 1, "u8.ToArray());
        await server.WriteAsync("part 2"u8.ToArray());
        Assert.Equal(2, pair.Server.ActiveStreams + pair.Client.ActiveStreams);
        await server.CloseWriteAsync();
        Assert.Equal("response part 1, part 2"u8.ToArray(), await ReadToEndAsync(client).WaitAsync(Guard));

        // Both FINs done: freed on both sides (the server at its own FIN, the client when the FIN arrived).
        Assert.Equal(0, pair.Server.ActiveStreams);
        Assert.Equal(0, pair.Client.ActiveStreams);
    }

    [Fact]
    public async Task Half_close_works_from_the_accepting_side_first_too()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (opened, accepted) = await pair.OpenAsync(pair.Server);

        await accepted.WriteAsync("early"u8.ToArray());
        await accepted.CloseWriteAsync();
        Assert.Equal("early"u8.ToArray(), await ReadToEndAsync(opened).WaitAsync(Guard));
        await opened.WriteAsync("late"u8.ToArray());
        await opened.CloseWriteAsync();
        Assert.Equal("late"u8.ToArray(), await ReadToEndAsync(accepted).WaitAsync(Guard));
        Assert.Equal(0, pair.Server.ActiveStreams);
        Assert.Equal(0, pair.Client.ActiveStreams);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reset_mid_transfer_fails_both_ends_and_the_session_survives(bool readerResets)
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (writer, reader) = await pair.OpenAsync(pair.Client);
        var chunk = new byte[32 * 1024];
        var writing = Task.Run(async () =>
        {
            while (true)
            {
                await writer.WriteAsync(chunk);
            }
        });
        await ReadExactlyAsync(reader, 100_000);

        if (readerResets)
        {
            reader.Reset();
            var ex = await Assert.ThrowsAsync<YamuxStreamResetException>(() => writing.WaitAsync(Guard));
            Assert.True(ex.ByRemote);
            Assert.False((await Assert.ThrowsAsync<YamuxStreamResetException>(() => reader.ReadAsync(new byte[1]).AsTask())).ByRemote);
        }
        else
        {
            writer.Reset();
            Assert.False((await Assert.ThrowsAsync<YamuxStreamResetException>(() => writing.WaitAsync(Guard))).ByRemote);
            var ex = await Assert.ThrowsAsync<YamuxStreamResetException>(async () =>
            {
                while (await reader.ReadAsync(new byte[65536]) > 0)
                {
                }
            }).WaitAsync(Guard);
            Assert.True(ex.ByRemote);
            Assert.Equal(writer.Id, ex.StreamId);
        }

        await Assert.ThrowsAsync<YamuxStreamResetException>(async () => await writer.WriteAsync(new byte[1]));
        var (again, againAccepted) = await pair.OpenAsync(pair.Client);
        await again.WriteAsync("still alive"u8.ToArray());
        Assert.Equal("still alive"u8.ToArray(), await ReadExactlyAsync(againAccepted, 11));
        Assert.False(pair.Client.Completion.IsCompleted);
        Assert.False(pair.Server.Completion.IsCompleted);
    }

    [Fact]
    public async Task Ping_measures_a_round_trip_from_either_side()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        Assert.Null(pair.Client.RoundTripTime);
        var rtt = await pair.Client.PingAsync().WaitAsync(Guard);
        Assert.InRange(rtt, TimeSpan.FromTicks(1), Guard);
        Assert.Equal(rtt, pair.Client.RoundTripTime);
        var rtts = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => pair.Server.PingAsync())).WaitAsync(Guard);
        Assert.All(rtts, r => Assert.True(r > TimeSpan.Zero));
    }

    [Fact]
    public async Task Keepalive_pings_measure_the_rtt_without_being_asked()
    {
        var options = new YamuxOptions { KeepAliveInterval = TimeSpan.FromSeconds(10) };
        await using var pair = await YamuxSessionPair.StartAsync(options, options);

        // The first keepalive goes out at session start; nothing else here sends a ping.
        await YamuxEventually.TrueAsync(() => pair.Client.RoundTripTime is not null && pair.Server.RoundTripTime is not null, Guard);
        Assert.True(pair.Client.RoundTripTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task Go_away_refuses_new_streams_lets_open_ones_finish_then_ends_the_session_orderly()
    {
        await using var pair = await YamuxSessionPair.StartAsync();
        var (client, server) = await pair.OpenAsync(pair.Client);

        await pair.Server.GoAwayAsync().WaitAsync(Guard);
        await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await pair.Server.OpenStreamAsync());

        // The client learns of the GO_AWAY through the frame; a ping is a barrier behind it.
        await pair.Client.PingAsync().WaitAsync(Guard);
        Assert.Equal(YamuxGoAwayCode.Normal, pair.Client.RemoteGoAway);
        var refused = await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await pair.Client.OpenStreamAsync());
        Assert.Contains("GO_AWAY", refused.Message);

        // The open stream still works both ways.
        await client.WriteAsync("last words"u8.ToArray());
        await client.CloseWriteAsync();
        Assert.Equal("last words"u8.ToArray(), await ReadToEndAsync(server).WaitAsync(Guard));
        await server.WriteAsync("goodbye"u8.ToArray());
        Assert.False(pair.Server.Completion.IsCompleted);
        await server.CloseWriteAsync();

        // Last stream done: the server closes; the client sees GO_AWAY(normal) + end of connection = orderly end.
        await pair.Server.Completion.WaitAsync(Guard);
        Assert.Equal("goodbye"u8.ToArray(), await ReadToEndAsync(client).WaitAsync(Guard));
        await pair.Client.Completion.WaitAsync(Guard);
    }

    [Fact]
    public async Task Dispose_fails_open_streams_of_both_sessions_and_completes_orderly()
    {
        var pair = await YamuxSessionPair.StartAsync();
        var (client, server) = await pair.OpenAsync(pair.Client);
        var pendingRead = server.ReadAsync(new byte[10]).AsTask();

        await pair.Client.DisposeAsync().AsTask().WaitAsync(Guard);
        Assert.True(pair.Client.Completion.IsCompletedSuccessfully);
        await pair.Server.Completion.WaitAsync(Guard);
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => pendingRead.WaitAsync(Guard));
        await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await client.WriteAsync(new byte[1]));
        await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await pair.Server.AcceptStreamAsync());
        await Assert.ThrowsAsync<YamuxSessionClosedException>(async () => await pair.Client.PingAsync());
        await pair.DisposeAsync();
    }

    [Fact]
    public async Task Connection_loss_fails_pending_reads_and_faults_completion()
    {
        var tcp = await YamuxTcpPair.ConnectAsync();
        var client = new YamuxSession(tcp.Dialer, isClient: true, YamuxSessionPair.Quiet);
        var server = new YamuxSession(tcp.Listener, isClient: false, YamuxSessionPair.Quiet);
        var opened = await client.OpenStreamAsync();
        var accepted = await server.AcceptStreamAsync().AsTask().WaitAsync(Guard);
        await opened.WriteAsync("buffered"u8.ToArray());
        Assert.Equal("buf"u8.ToArray(), await ReadExactlyAsync(accepted, 3));
        var pendingRead = opened.ReadAsync(new byte[10]).AsTask();

        tcp.ListenerSocket.Close();
        var reason = await Assert.ThrowsAnyAsync<Exception>(() => client.Completion.WaitAsync(Guard));
        Assert.IsAssignableFrom<IOException>(reason);
        Assert.IsType<YamuxSessionClosedException>(await Assert.ThrowsAnyAsync<Exception>(() => pendingRead.WaitAsync(Guard)));
        await Assert.ThrowsAnyAsync<Exception>(() => server.Completion.WaitAsync(Guard));

        // Bytes that had arrived are still readable; then the stream reports the session's end.
        Assert.Equal("fered"u8.ToArray(), await ReadExactlyAsync(accepted, 5));
        await Assert.ThrowsAsync<YamuxSessionClosedException>(() => accepted.ReadAsync(new byte[1]).AsTask());
        await client.DisposeAsync();
        await server.DisposeAsync();
        tcp.Dispose();
    }

    internal static async Task EchoServerAsync(YamuxSession session, int streams)
    {
        var echoes = new List<Task>();
        for (var i = 0; i < streams; i++)
        {
            var stream = await session.AcceptStreamAsync();
            echoes.Add(Task.Run(async () =>
            {
                await using (stream)
                {
                    var buffer = new byte[100_000];
                    int n;
                    while ((n = await stream.ReadAsync(buffer)) > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, n));
                    }

                    await stream.CloseWriteAsync();
                }
            }));
        }

        await Task.WhenAll(echoes);
    }

    internal static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        var output = new MemoryStream();
        await stream.CopyToAsync(output);
        return output.ToArray();
    }

    internal static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Guard);
        return buffer;
    }
}
