using Granary.Libp2p.Multistream;
using Granary.Libp2p.Tests.Support;
using static Granary.Libp2p.Tests.MultistreamSelectTests;

namespace Granary.Libp2p.Tests;

public sealed class MultistreamSelectMutationTests
{
    private static readonly string[] Supported = ["/noise", "/yamux/1.0.0"];

    [Fact]
    public async Task Responder_survives_mutated_initiator_bytes()
    {
        byte[] transcript = [.. Header, .. Frame("/mplex/6.7.0"), .. Ls, .. Frame("/noise"), .. "app-data"u8];
        var random = new Random(1024);
        var accepted = 0;
        for (var i = 0; i < 2000; i++)
        {
            var input = Mutate(transcript, random);
            using var timeout = Timeout();
            using var pair = new DuplexStreamPair();
            await pair.A.WriteAsync(input, timeout.Token);
            pair.A.CompleteWrites();
            string protocol;
            try
            {
                protocol = await MultistreamSelect.HandleAsync(pair.B, Supported, timeout.Token);
            }
            catch (Libp2pProtocolException)
            {
                continue;
            }

            accepted++;
            Assert.Contains(protocol, Supported);
            // Nothing past the accepted proposal was consumed.
            var consumed = (int)pair.B.BytesRead;
            Assert.Equal(input[consumed..], await ReadToEndAsync(pair.B, timeout.Token));
        }

        Assert.InRange(accepted, 50, 1950);
    }

    [Fact]
    public async Task Initiator_survives_mutated_responder_bytes()
    {
        byte[] transcript = [.. Header, .. Na, .. Frame("/yamux/1.0.0"), .. "app-data"u8];
        var random = new Random(19);
        var accepted = 0;
        for (var i = 0; i < 2000; i++)
        {
            var input = Mutate(transcript, random);
            using var timeout = Timeout();
            using var pair = new DuplexStreamPair();
            await pair.B.WriteAsync(input, timeout.Token);
            pair.B.CompleteWrites();
            string protocol;
            try
            {
                protocol = await MultistreamSelect.SelectAsync(pair.A, ["/mplex/6.7.0", "/yamux/1.0.0"], timeout.Token);
            }
            catch (Libp2pProtocolException)
            {
                continue;
            }

            accepted++;
            Assert.Contains(protocol, (string[])["/mplex/6.7.0", "/yamux/1.0.0"]);
            var consumed = (int)pair.A.BytesRead;
            Assert.Equal(input[consumed..], await ReadToEndAsync(pair.A, timeout.Token));
        }

        Assert.InRange(accepted, 50, 1950);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var m = random.Next(1, 3); m > 0; m--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
            }

            if (bytes.Count == 0)
            {
                break;
            }
        }

        return [.. bytes];
    }
}
