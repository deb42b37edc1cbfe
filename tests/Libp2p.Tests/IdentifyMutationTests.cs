using Granary.Libp2p.Identify;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Tests;

/// <summary>Random corruption of real identify bytes: only valid results or typed exceptions, never anything else.</summary>
public class IdentifyMutationTests
{
    private static readonly PublicKey SpecKey = PublicKey.FromProtobuf(Convert.FromHexString(IdentifyMessageTests.SpecPublicKey));

    [Fact]
    public void MutatedMessagesDecodeOrFailWithAProtocolException()
    {
        var original = Convert.FromHexString(IdentifyMessageTests.JsVector);
        var random = new Random(20261201);
        var decoded = 0;
        for (var i = 0; i < 2000; i++)
        {
            var mutated = Mutate(original, random);
            try
            {
                var message = IdentifyMessage.Decode(mutated, 8192);
                _ = IdentifyInfo.From(message, SpecKey, previous: null);
                decoded++;
            }
            catch (Libp2pProtocolException)
            {
            }
        }

        // Both outcomes must occur, or the mutations are not exercising anything.
        Assert.InRange(decoded, 1, 1999);
    }

    [Fact]
    public async Task MutatedLengthPrefixedStreamsReadOrFailWithAProtocolException()
    {
        var body = Convert.FromHexString(IdentifyMessageTests.JsVector);
        var framed = LengthPrefixed.Frame(body);
        var random = new Random(7);
        var outcomes = new HashSet<string>();
        for (var i = 0; i < 2000; i++)
        {
            using var stream = new MemoryStream(Mutate(framed, random));
            try
            {
                var message = await IdentifyProtocol.ReadAsync(stream, 8192, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
                outcomes.Add("ok");
                _ = message;
            }
            catch (Libp2pProtocolException)
            {
                outcomes.Add("error");
            }
        }

        Assert.Equal(["error", "ok"], outcomes.Order());
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var edits = random.Next(1, 4); edits > 0; edits--)
        {
            switch (random.Next(4))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveAt(random.Next(bytes.Count));
                    break;
                case 2:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                default:
                    bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList();
                    break;
            }
        }

        return [.. bytes];
    }
}
