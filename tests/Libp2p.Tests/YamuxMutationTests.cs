using Granary.Libp2p.Tests.Support;
using Granary.Libp2p.Yamux;
using Xunit.Abstractions;
using static Granary.Libp2p.Tests.Support.YamuxRawFrame;

namespace Granary.Libp2p.Tests;

/// <summary>
/// A valid frame sequence (the kind js sends), mutated 2,000 ways with a fixed seed, fed to a session in reads of
/// random size. Each run must end on its own (no hang), with an orderly end, the connection ending, or a
/// <see cref="Libp2pProtocolException"/>; the application side sees only typed stream exceptions.
/// </summary>
public sealed class YamuxMutationTests(ITestOutputHelper output)
{
    private static readonly YamuxOptions Options = new() { KeepAliveInterval = TimeSpan.Zero, MaxStreams = 4, MaxWindow = 1024 * 1024 };

    [Fact]
    public async Task The_unmutated_script_is_read_fully_and_ends_orderly()
    {
        var outcome = await RunAsync(Script(), seed: 1);
        Assert.Null(outcome.Reason);
        // Streams 1 and 3 end with FIN after all their bytes; stream 5 is reset, usually before it is accepted
        // (then it is never handed out), otherwise with some of its bytes read.
        Assert.InRange(outcome.StreamBytes.Count, 2, 3);
        Assert.Contains(1000L + 5, outcome.StreamBytes);
        Assert.Contains(500L + 70_000 + 10, outcome.StreamBytes);
    }

    [Fact]
    public async Task Mutated_scripts_end_in_a_typed_outcome_and_never_hang()
    {
        var script = Script();
        var random = new Random(20261201);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 2000; i++)
        {
            var mutated = Mutate(script, random);
            var outcome = await RunAsync(mutated, seed: i);
            AssertWellFormed(outcome, i);
            var kind = outcome.Reason switch
            {
                null => "orderly",
                YamuxSessionClosedException closed when closed.Message.Contains("without a GO_AWAY") || closed.Message.Contains("GO_AWAY (") => "connection ended",
                Libp2pProtocolException => "protocol error",
                var other => throw new Xunit.Sdk.XunitException($"mutation {i}: session ended with {other.GetType()}: {other}"),
            };
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        }

        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key}: {o.Value}")));

        // The mutations reach deep enough to produce every outcome.
        Assert.True(outcomes.GetValueOrDefault("protocol error") > 200, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("connection ended") + outcomes.GetValueOrDefault("orderly") > 100, string.Join(", ", outcomes));
    }

    /// <summary>What the session wrote parses as frames; after a protocol error the last one is GO_AWAY(1).</summary>
    private static void AssertWellFormed(Outcome outcome, int mutation)
    {
        var written = outcome.Written.AsSpan();
        var last = Array.Empty<byte>();
        while (!written.IsEmpty)
        {
            Assert.True(written.Length >= 12, $"mutation {mutation}: {written.Length} stray bytes written");
            Assert.Equal(0, written[0]);
            Assert.InRange(written[1], 0, 3);
            var length = written[1] == Data ? (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(written[8..]) : 0;
            last = written[..12].ToArray();
            written = written[(12 + length)..];
        }

        if (outcome.Reason is Libp2pProtocolException)
        {
            Assert.Equal("000300000000000000000001", Convert.ToHexStringLower(last));
        }
    }

    private static byte[] Script()
    {
        var frames = new List<byte[]>
        {
            YamuxRawPeer.Frame(Ping, Syn, 0, 1),
            YamuxRawPeer.Frame(WindowUpdate, Syn, 1, 0),
            YamuxRawPeer.DataFrame(0, 1, Filled(1000, 1)),
            YamuxRawPeer.DataFrame(Syn, 3, Filled(500, 3)),
            YamuxRawPeer.Frame(WindowUpdate, 0, 1, 5000),
            YamuxRawPeer.DataFrame(0, 3, Filled(70_000, 3)),
            YamuxRawPeer.DataFrame(0, 1, Filled(5, 1)),
            YamuxRawPeer.Frame(WindowUpdate, Fin, 1, 0),
            YamuxRawPeer.DataFrame(Fin, 3, Filled(10, 3)),
            YamuxRawPeer.Frame(WindowUpdate, Rst, 9, 0),
            YamuxRawPeer.Frame(Ping, Ack, 0, 9),
            YamuxRawPeer.Frame(WindowUpdate, Syn, 5, 0),
            YamuxRawPeer.DataFrame(0, 5, Filled(200, 5)),
            YamuxRawPeer.Frame(WindowUpdate, Rst, 5, 0),
            YamuxRawPeer.Frame(GoAway, 0, 0, 0),
        };
        return [.. frames.SelectMany(f => f)];
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static byte[] Mutate(byte[] script, Random random)
    {
        var bytes = new List<byte>(script);
        var count = random.Next(1, 4);
        for (var m = 0; m < count && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    // A 32-bit field (id or length, usually) set to an extreme value.
                    uint[] extremes = [0, 1, 2, 0x7fffffff, 0xffffffff, 0x40000, 0x40001, 0x100001];
                    var value = extremes[random.Next(extremes.Length)];
                    for (var b = 0; b < 4 && at + b < bytes.Count; b++)
                    {
                        bytes[at + b] = (byte)(value >> (24 - 8 * b));
                    }

                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at));
                    break;
                case 5:
                    var length = Math.Min(random.Next(1, 100), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    var noise = new byte[random.Next(1, 24)];
                    random.NextBytes(noise);
                    bytes.InsertRange(at, noise);
                    break;
            }
        }

        return [.. bytes];
    }

    private static async Task<Outcome> RunAsync(byte[] script, int seed)
    {
        var connection = new YamuxScriptedConnection(script, seed, maxChunk: 1 + seed % 3000);
        var session = new YamuxSession(connection, isClient: false, Options);
        var streamBytes = new List<long>();
        var application = Task.Run(async () =>
        {
            var readers = new List<Task<long>>();
            try
            {
                while (true)
                {
                    var stream = await session.AcceptStreamAsync();
                    readers.Add(DrainAsync(stream));
                }
            }
            catch (YamuxSessionClosedException)
            {
            }

            foreach (var reader in readers)
            {
                streamBytes.Add(await reader);
            }
        });

        Exception? reason = null;
        try
        {
            await session.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"session with seed {seed} did not end");
        }
        catch (Exception ex)
        {
            reason = ex;
        }

        await application.WaitAsync(TimeSpan.FromSeconds(20));
        await session.DisposeAsync();
        return new Outcome(reason, streamBytes, connection.Written);
    }

    private static async Task<long> DrainAsync(YamuxStream stream)
    {
        long total = 0;
        var buffer = new byte[8192];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                total += n;
            }

            await stream.WriteAsync("thanks"u8.ToArray());
            await stream.CloseWriteAsync();
        }
        catch (YamuxStreamResetException)
        {
        }
        catch (YamuxSessionClosedException)
        {
        }
        finally
        {
            await stream.DisposeAsync();
        }

        return total;
    }

    private sealed record Outcome(Exception? Reason, List<long> StreamBytes, byte[] Written);
}
