using System.Net;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Libp2p.Tests;

public sealed class MultiaddrMutationTests
{
    private static readonly string[] Seeds =
    [
        "/ip4/127.0.0.1/tcp/4001",
        "/ip6/2001:db8::1/tcp/30303",
        "/dns4/example.com/tcp/443/tls/ws",
        "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5",
        "/ip4/127.0.0.1/udp/4001/quic-v1/webtransport",
        "/dnsaddr/bootstrap.libp2p.io/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N/p2p-circuit/noise",
        "/ip6/::1/udp/1/http/https/wss",
    ];

    [Fact]
    public void Mutated_bytes_either_parse_canonically_or_throw_the_typed_exception()
    {
        var random = new Random(421);
        var valid = 0;
        for (var i = 0; i < 3000; i++)
        {
            var bytes = Mutate(Multiaddr.Parse(Seeds[random.Next(Seeds.Length)]).ToBytes(), random);
            Multiaddr parsed;
            try
            {
                parsed = Multiaddr.FromBytes(bytes);
            }
            catch (MultiaddrFormatException)
            {
                Assert.False(Multiaddr.TryFromBytes(bytes, out _));
                continue;
            }

            valid++;
            Assert.True(Multiaddr.TryFromBytes(bytes, out var again));
            Assert.Equal(parsed, again);
            Assert.Equal(bytes, parsed.ToBytes());
            var reparsed = Multiaddr.Parse(parsed.ToString());
            Assert.Equal(parsed, reparsed);
            Assert.Equal(parsed.ToString(), reparsed.ToString());
        }

        // The mutations must exercise both outcomes to mean anything.
        Assert.InRange(valid, 100, 2900);
    }

    [Fact]
    public void Mutated_text_either_parses_canonically_or_throws_the_typed_exception()
    {
        const string alphabet = "/0123456789abcdefx:.%-ipstcudnQmK ";
        var random = new Random(4001);
        var valid = 0;
        for (var i = 0; i < 3000; i++)
        {
            var chars = Seeds[random.Next(Seeds.Length)].ToList();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(chars.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when at < chars.Count:
                        chars[at] = alphabet[random.Next(alphabet.Length)];
                        break;
                    case 1 when at < chars.Count:
                        chars.RemoveAt(at);
                        break;
                    default:
                        chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                }
            }

            var text = new string([.. chars]);
            Multiaddr parsed;
            try
            {
                parsed = Multiaddr.Parse(text);
            }
            catch (MultiaddrFormatException)
            {
                Assert.False(Multiaddr.TryParse(text, out _));
                continue;
            }

            valid++;
            var canonical = parsed.ToString();
            Assert.Equal(parsed, Multiaddr.Parse(canonical));
            Assert.Equal(canonical, Multiaddr.FromBytes(parsed.ToBytes()).ToString());
        }

        Assert.InRange(valid, 30, 2900);
    }

    [Fact]
    public void Random_ip6_addresses_round_trip_and_agree_with_the_bcl_parser()
    {
        var random = new Random(41);
        for (var i = 0; i < 2000; i++)
        {
            var address = new byte[16];
            for (var g = 0; g < 8; g++)
            {
                // Mostly zero groups, so that zero runs of every length and position occur.
                if (random.Next(3) == 0)
                {
                    address[2 * g] = (byte)(random.Next(2) == 0 ? 0 : random.Next(256));
                    address[(2 * g) + 1] = (byte)random.Next(256);
                }
            }

            var ma = Multiaddr.FromBytes([0x29, .. address]);
            var text = ma.Components[0].Value!;
            Assert.Equal(address, IPAddress.Parse(text).GetAddressBytes());
            Assert.DoesNotContain(":::", text);
            Assert.Equal(text, text.ToLowerInvariant());
            Assert.Equal(ma, Multiaddr.Parse("/ip6/" + text));
        }
    }

    [Fact]
    public void Random_ip4_and_ports_round_trip()
    {
        var random = new Random(6);
        for (var i = 0; i < 2000; i++)
        {
            var ip = new byte[4];
            random.NextBytes(ip);
            var port = random.Next(65536);
            var text = $"/ip4/{new IPAddress(ip)}/udp/{port}";
            var ma = Multiaddr.Parse(text);
            Assert.Equal(text, ma.ToString());
            Assert.Equal([0x04, .. ip, 0x91, 0x02, (byte)(port >> 8), (byte)port], ma.ToBytes());
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            var at = random.Next(bytes.Count + 1);
            switch (random.Next(6))
            {
                case 0 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when at < bytes.Count:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4 when at < bytes.Count:
                    var length = random.Next(1, bytes.Count - at + 1);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        return [.. bytes];
    }
}
