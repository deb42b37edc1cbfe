using System.Text;
using Granary.Libp2p.Noise;

namespace Granary.Libp2p.Tests;

public class NoiseHandshakePayloadTests
{
    private static readonly byte[] Key = Convert.FromHexString(PublicKeyTests.SpecEd25519Public);
    private static readonly byte[] Signature = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

    [Fact]
    public void EncodesTheSchemaFieldsInOrder()
    {
        var bytes = new NoiseHandshakePayload(Key, Signature, ["/yamux/1.0.0"]).Encode();
        // identity_key = 1 (0x0a), identity_sig = 2 (0x12), extensions = 4 (0x22) { stream_muxers = 2 (0x12) }.
        var expected = "0a24" + PublicKeyTests.SpecEd25519Public + "1240" + Convert.ToHexStringLower(Signature)
            + "220e" + "120c" + Convert.ToHexStringLower(Encoding.ASCII.GetBytes("/yamux/1.0.0"));
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
        Assert.Equal(120, bytes.Length); // the size js sends in its msg2 payload

        var withoutMuxers = new NoiseHandshakePayload(Key, Signature, []).Encode();
        Assert.Equal(104, withoutMuxers.Length); // no extensions field at all
    }

    [Fact]
    public void DecodesSkippingCerthashesAndMergingRepeatedExtensions()
    {
        var hex = "0a24" + PublicKeyTests.SpecEd25519Public + "1240" + Convert.ToHexStringLower(Signature)
            + "2209" + "0a03010203" + "1202" + "2f61" // certhash, "/a"
            + "2204" + "1202" + "2f62" // a second extensions message: "/b"
            + "2a00"; // unknown field 5
        var payload = NoiseHandshakePayload.Decode(Convert.FromHexString(hex));
        Assert.Equal(Key, payload.IdentityKey);
        Assert.Equal(Signature, payload.IdentitySignature);
        Assert.Equal(["/a", "/b"], payload.StreamMuxers);
    }

    [Fact]
    public void RejectsTooManyOrOverlongMuxers()
    {
        var many = new NoiseHandshakePayload(Key, Signature, Enumerable.Range(0, 33).Select(i => $"/m/{i}").ToList()).Encode();
        Assert.Contains("more than 32", Assert.Throws<NoiseHandshakeException>(() => NoiseHandshakePayload.Decode(many)).Message);

        var longId = new NoiseHandshakePayload(Key, Signature, [new string('x', 1025)]).Encode();
        Assert.Contains("exceeds the limit of 1024", Assert.Throws<NoiseHandshakeException>(() => NoiseHandshakePayload.Decode(longId)).Message);
    }

    [Fact]
    public void RandomMutationsGiveOnlyHandshakeExceptionsOrValidPayloads()
    {
        var random = new Random(5005);
        var original = new NoiseHandshakePayload(Key, Signature, ["/yamux/1.0.0", "/mplex/6.7.0"]).Encode();
        for (var i = 0; i < 2000; i++)
        {
            try
            {
                var payload = NoiseHandshakePayload.Decode(ProtoReaderTests.Mutate(random, original));
                Assert.True(payload.StreamMuxers.Count <= NoiseHandshakePayload.MaxStreamMuxers);
            }
            catch (NoiseHandshakeException)
            {
            }
        }
    }
}
