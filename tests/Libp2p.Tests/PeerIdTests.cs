using System.Security.Cryptography;
using System.Text.Json;
using Granary.Filecoin.Encoding;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Tests;

public class PeerIdTests
{
    [Fact]
    public void JsVectorsDeriveTheSamePeerIdAndTextForms()
    {
        foreach (var v in LibP2pVectors.Load().PeerIds)
        {
            var key = PublicKey.FromProtobuf(v.PublicKeyProtobuf);
            var id = key.ToPeerId();
            Assert.Equal(v.PeerIdMultihash, id.Multihash.ToArray());
            Assert.Equal(v.PeerIdBase58, id.ToString());
            Assert.Equal(v.PeerIdCidBase32, id.ToCidString());
            Assert.Equal(id, PeerId.Parse(v.PeerIdBase58));
            Assert.Equal(id, PeerId.Parse(v.PeerIdCidBase32));
            Assert.Equal(id, PeerId.Parse(v.PeerIdCidBase32.ToUpperInvariant().Replace("BAFZ", "Bafz", StringComparison.Ordinal)));
            Assert.Equal(id, PeerId.FromMultihash(v.PeerIdMultihash));
            Assert.Equal(key, id.TryExtractPublicKey());
        }
    }

    [Fact]
    public void SpecExamplesParse()
    {
        var ed = PeerId.Parse("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
        Assert.Equal(KeyType.Ed25519, ed.TryExtractPublicKey()!.Type);
        Assert.Equal(38, ed.Multihash.Length);

        var sha = PeerId.Parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        Assert.Equal([0x12, 0x20], sha.Multihash[..2].ToArray());
        Assert.Null(sha.TryExtractPublicKey());
        Assert.Equal("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", sha.ToString());

        var cid = PeerId.Parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
        Assert.Equal("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe", cid.ToCidString());
        Assert.StartsWith("Qm", cid.ToString());
    }

    [Fact]
    public void KeysOver42BytesAreHashedWithSha256()
    {
        foreach (var hex in new[] { PublicKeyTests.SpecRsaPublic, PublicKeyTests.SpecEcdsaPublic })
        {
            var protobuf = Convert.FromHexString(hex);
            var id = PublicKey.FromProtobuf(protobuf).ToPeerId();
            Assert.Equal([0x12, 0x20, .. SHA256.HashData(protobuf)], id.Multihash.ToArray());
            Assert.StartsWith("Qm", id.ToString());
            Assert.Equal(id, PeerId.Parse(id.ToString()));
            Assert.Equal(id, PeerId.Parse(id.ToCidString()));
        }

        // secp256k1 (37 bytes) is inlined.
        var secp = PublicKey.FromProtobuf(Convert.FromHexString(PublicKeyTests.SpecSecp256k1Public)).ToPeerId();
        Assert.Equal("0025" + PublicKeyTests.SpecSecp256k1Public, Convert.ToHexStringLower(secp.Multihash.Span));
        Assert.StartsWith("16Uiu2", secp.ToString());
    }

    [Fact]
    public void RejectsACidWithAnotherCodec()
    {
        var multihash = LibP2pVectors.Load().PeerIds[0].PeerIdMultihash;
        var dagPb = "b" + Base32.Encode([0x01, 0x70, .. multihash]);
        var e = Assert.Throws<Libp2pProtocolException>(() => PeerId.Parse(dagPb));
        Assert.Contains("codec 0x70", e.Message);
    }

    [Theory]
    [InlineData("", "1..128 characters")]
    [InlineData("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0", "not valid base58btc")]
    [InlineData("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pqq", "")]
    [InlineData("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p", "")]
    [InlineData("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5", "")]
    [InlineData("xafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6", "neither base58btc nor a CID")]
    [InlineData("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt1", "neither base58btc nor a CID")]
    [InlineData("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzy", "neither base58btc nor a CID")]
    public void RejectsBadTextWithAReason(string text, string reason)
    {
        var e = Assert.Throws<Libp2pProtocolException>(() => PeerId.Parse(text));
        Assert.Contains(reason, e.Message);
        Assert.False(PeerId.TryParse(text, out var parsed));
        Assert.True(parsed.IsEmpty);
    }

    [Fact]
    public void RejectsOverlongText() =>
        Assert.Throws<Libp2pProtocolException>(() => PeerId.Parse(new string('1', PeerId.MaxTextLength + 1)));

    [Theory]
    [InlineData("", "not a valid multihash")]
    [InlineData("1314" + "0102030405060708090a0b0c0d0e0f1011121314", "code 0x13")]
    [InlineData("1214" + "0102030405060708090a0b0c0d0e0f1011121314", "20-byte digest")]
    [InlineData("0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce2", "not a valid multihash")]
    [InlineData("0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e00", "1 trailing bytes")]
    [InlineData("000401020304", "")] // inlined bytes that are no public key
    [InlineData("002b" + "08011227" + "000000000000000000000000000000000000000000000000000000000000000000000000000000", "42 bytes")]
    public void RejectsBadMultihashesWithAReason(string hex, string reason)
    {
        var e = Assert.ThrowsAny<Libp2pProtocolException>(() => PeerId.FromMultihash(Convert.FromHexString(hex)));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void EqualityHashingAndDefault()
    {
        var v = LibP2pVectors.Load().PeerIds;
        var a = PeerId.Parse(v[0].PeerIdBase58);
        var b = PeerId.Parse(v[0].PeerIdCidBase32);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, PeerId.Parse(v[1].PeerIdBase58));
        Assert.Single(new HashSet<PeerId> { a, b });

        var empty = default(PeerId);
        Assert.True(empty.IsEmpty);
        Assert.Equal(string.Empty, empty.ToString());
        Assert.NotEqual(a, empty);
        Assert.False(PeerId.TryParse(null, out _));
    }

    [Fact]
    public void RandomTextMutationsGiveOnlyProtocolExceptionsOrValidIds()
    {
        const string Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0Ol+/=";
        var random = new Random(7001);
        var texts = LibP2pVectors.Load().PeerIds.SelectMany(v => new[] { v.PeerIdBase58, v.PeerIdCidBase32 }).ToArray();
        var valid = 0;
        for (var i = 0; i < 2000; i++)
        {
            var chars = texts[i % texts.Length].ToCharArray().ToList();
            var position = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars[position] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 1:
                    chars.RemoveAt(position);
                    break;
                default:
                    chars.Insert(position, Alphabet[random.Next(Alphabet.Length)]);
                    break;
            }

            try
            {
                var id = PeerId.Parse(new string([.. chars]));
                Assert.Equal(id, PeerId.FromMultihash(id.Multihash.Span));
                valid++;
            }
            catch (Libp2pProtocolException)
            {
            }
        }

        // Identity ids embed the key, so most edits break the embedded protobuf or the length.
        Assert.True(valid < 2000);
    }

    [Fact]
    public void RandomByteMutationsGiveOnlyProtocolExceptionsOrValidIds()
    {
        var random = new Random(7002);
        var originals = LibP2pVectors.Load().PeerIds.Select(v => v.PeerIdMultihash)
            .Append(PublicKey.FromProtobuf(Convert.FromHexString(PublicKeyTests.SpecRsaPublic)).ToPeerId().ToBytes()).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            try
            {
                var id = PeerId.FromMultihash(ProtoReaderTests.Mutate(random, originals[i % originals.Length]));
                Assert.Equal(id, PeerId.Parse(id.ToString()));
            }
            catch (Libp2pProtocolException)
            {
            }
        }
    }
}

/// <summary>tests/vectors/libp2p-vectors.json (generated with js-libp2p), copied to the test output.</summary>
internal sealed record LibP2pVectors(IReadOnlyList<LibP2pVectors.PeerIdVector> PeerIds, IReadOnlyList<LibP2pVectors.SignatureVector> Signatures)
{
    public static LibP2pVectors Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "libp2p-vectors.json")));
        var root = json.RootElement;
        static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);
        var peers = root.GetProperty("peerIds").EnumerateArray().Select(e => new PeerIdVector(
            e.GetProperty("label").GetString()!,
            Hex(e, "privateKeyProtobuf"),
            Hex(e, "ed25519Seed"),
            Hex(e, "publicKeyProtobuf"),
            Hex(e, "peerIdMultihash"),
            e.GetProperty("peerIdBase58").GetString()!,
            e.GetProperty("peerIdCidBase32").GetString()!)).ToList();
        var signatures = root.GetProperty("signatures").EnumerateArray().Select(e => new SignatureVector(
            Hex(e, "x25519PrivateKey"),
            Hex(e, "x25519PublicKey"),
            Hex(e, "signedMessage"),
            Hex(e, "ed25519Signature"))).ToList();
        return new LibP2pVectors(peers, signatures);
    }

    public sealed record PeerIdVector(string Label, byte[] PrivateKeyProtobuf, byte[] Seed, byte[] PublicKeyProtobuf, byte[] PeerIdMultihash, string PeerIdBase58, string PeerIdCidBase32);

    public sealed record SignatureVector(byte[] X25519PrivateKey, byte[] X25519PublicKey, byte[] SignedMessage, byte[] Ed25519Signature);
}
