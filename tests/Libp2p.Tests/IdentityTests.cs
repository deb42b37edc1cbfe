using System.Text;
using Granary.Libp2p.Peers;

namespace Granary.Libp2p.Tests;

public class IdentityTests
{
    [Fact]
    public void VectorsLoadFromPrivateKeyProtobufAndFromSeed()
    {
        foreach (var v in LibP2pVectors.Load().PeerIds)
        {
            var fromProtobuf = Identity.FromPrivateKeyProtobuf(v.PrivateKeyProtobuf);
            var fromSeed = Identity.FromSeed(v.Seed);
            foreach (var identity in new[] { fromProtobuf, fromSeed })
            {
                Assert.Equal(v.PublicKeyProtobuf, identity.PublicKey.ToProtobuf());
                Assert.Equal(v.PrivateKeyProtobuf, identity.ToPrivateKeyProtobuf());
                Assert.Equal(v.PeerIdBase58, identity.PeerId.ToString());
                Assert.Equal(v.PeerIdBase58, identity.ToString());
            }
        }
    }

    [Fact]
    public void SignaturesMatchTheJsVectorsByteForByte()
    {
        var vectors = LibP2pVectors.Load();
        foreach (var (peer, signature) in vectors.PeerIds.Zip(vectors.Signatures))
        {
            // The signed message is the Noise static-key binding: prefix then the X25519 public key.
            Assert.Equal([.. Encoding.ASCII.GetBytes("noise-libp2p-static-key:"), .. signature.X25519PublicKey], signature.SignedMessage);
            var identity = Identity.FromPrivateKeyProtobuf(peer.PrivateKeyProtobuf);
            Assert.Equal(signature.Ed25519Signature, identity.Sign(signature.SignedMessage));
        }
    }

    [Fact]
    public void SpecNoiseSignatureVector()
    {
        var identity = Identity.FromPrivateKeyProtobuf(Convert.FromHexString("080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        var message = Encoding.ASCII.GetBytes("noise-libp2p-static-key:").Concat(Convert.FromHexString("ce8d3ad1ccb633ec7b70c17814a5c76ecd029685050d344745ba05870e587d59")).ToArray();
        Assert.Equal(
            "d73da6427ac98b8f2695c0c56e1d90fbf9d948b67d32b3fee16f07376dd99918907ad8f8fe5f5b55b844e790c8cc9e4b2240889aacca01fa1b23809d70d7b80a",
            Convert.ToHexStringLower(identity.Sign(message)));
    }

    [Fact]
    public void AcceptsTheLegacy96ByteFormWhenThePublicCopiesMatch()
    {
        var v = LibP2pVectors.Load().PeerIds[0];
        var data = PublicKeyTests.DataField(v.PrivateKeyProtobuf);
        var legacy = Convert.FromHexString("08011260").Concat(data).Concat(data[32..]).ToArray();
        Assert.Equal(v.PeerIdBase58, Identity.FromPrivateKeyProtobuf(legacy).PeerId.ToString());

        var mismatched = legacy.ToArray();
        mismatched[^1] ^= 1;
        Assert.Contains("two different public key copies", Assert.Throws<Libp2pProtocolException>(() => Identity.FromPrivateKeyProtobuf(mismatched)).Message);
    }

    [Fact]
    public void RejectsAPublicHalfThatDoesNotMatchTheSeed()
    {
        var v = LibP2pVectors.Load().PeerIds[0];
        var corrupted = v.PrivateKeyProtobuf.ToArray();
        corrupted[^1] ^= 1;
        Assert.Contains("does not match its seed", Assert.Throws<Libp2pProtocolException>(() => Identity.FromPrivateKeyProtobuf(corrupted)).Message);
    }

    [Theory]
    [InlineData(PublicKeyTests.SpecSecp256k1Private, "only Ed25519")]
    [InlineData("08011220" + "7e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d", "64 (seed+public) or 96")]
    [InlineData("0801", "lacks the required Data field")]
    [InlineData("080112", "truncated")]
    public void RejectsOtherPrivateKeys(string hex, string reason)
    {
        var e = Assert.Throws<Libp2pProtocolException>(() => Identity.FromPrivateKeyProtobuf(Convert.FromHexString(hex)));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void GeneratedIdentitiesAreDistinctAndTheirSignaturesVerify()
    {
        var a = Identity.Generate();
        var b = Identity.Generate();
        Assert.NotEqual(a.PeerId, b.PeerId);
        Assert.StartsWith("12D3KooW", a.PeerId.ToString());
        var signature = a.Sign("hello"u8);
        Assert.True(a.PublicKey.Verify("hello"u8, signature));
        Assert.False(b.PublicKey.Verify("hello"u8, signature));
        Assert.Equal(a.PeerId, Identity.FromPrivateKeyProtobuf(a.ToPrivateKeyProtobuf()).PeerId);
    }

    [Fact]
    public void FromSeedRejectsWrongLengths() =>
        Assert.Throws<ArgumentException>(() => Identity.FromSeed(new byte[31]));
}
