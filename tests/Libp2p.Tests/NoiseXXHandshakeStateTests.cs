using System.Buffers.Binary;
using System.Text.Json;
using Granary.Libp2p.Noise;

namespace Granary.Libp2p.Tests;

/// <summary>The Noise state machine against the cacophony Noise_XX_25519_ChaChaPoly_SHA256 vector and RFC 7748.</summary>
public class NoiseXXHandshakeStateTests
{
    [Fact]
    public void ReproducesTheCacophonyVectorFromTheInitiatorSide()
    {
        var v = CacophonyVector.Load();
        using var initiator = new NoiseXXHandshakeState(true, v.Prologue, v.InitStatic, v.InitEphemeral);
        using var responder = new NoiseXXHandshakeState(false, v.Prologue, v.RespStatic, v.RespEphemeral);

        Assert.Equal(v.Messages[0].Ciphertext, initiator.WriteMessage(v.Messages[0].Payload));
        Assert.Equal(v.Messages[0].Payload, responder.ReadMessage(v.Messages[0].Ciphertext));
        Assert.Equal(v.Messages[1].Ciphertext, responder.WriteMessage(v.Messages[1].Payload));
        Assert.Equal(v.Messages[1].Payload, initiator.ReadMessage(v.Messages[1].Ciphertext));
        Assert.Equal(v.Messages[2].Ciphertext, initiator.WriteMessage(v.Messages[2].Payload));
        Assert.Equal(v.Messages[2].Payload, responder.ReadMessage(v.Messages[2].Ciphertext));

        Assert.True(initiator.IsComplete);
        Assert.Equal(v.HandshakeHash, initiator.HandshakeHash.ToArray());
        Assert.Equal(v.HandshakeHash, responder.HandshakeHash.ToArray());
        Assert.Equal(responder.StaticPublicKey, initiator.RemoteStaticPublicKey);
        Assert.Equal(initiator.StaticPublicKey, responder.RemoteStaticPublicKey);

        // Transport messages alternate, responder first: it sends with k2, the initiator with k1.
        var (initSend, initReceive) = initiator.Split();
        var (respSend, respReceive) = responder.Split();
        for (var i = 3; i < v.Messages.Count; i++)
        {
            var (send, receive) = i % 2 == 1 ? (respSend, initReceive) : (initSend, respReceive);
            var message = v.Messages[i];
            var ciphertext = new byte[message.Payload.Length + 16];
            send.Encrypt([], message.Payload, ciphertext);
            Assert.Equal(message.Ciphertext, ciphertext);
            var plaintext = new byte[message.Payload.Length];
            Assert.True(receive.TryDecrypt([], message.Ciphertext, plaintext));
            Assert.Equal(message.Payload, plaintext);
        }
    }

    [Fact]
    public async Task TransportStreamFramesTheVectorCiphertexts()
    {
        var v = CacophonyVector.Load();
        using var initiator = new NoiseXXHandshakeState(true, v.Prologue, v.InitStatic, v.InitEphemeral);
        using var responder = new NoiseXXHandshakeState(false, v.Prologue, v.RespStatic, v.RespEphemeral);
        responder.ReadMessage(initiator.WriteMessage(v.Messages[0].Payload));
        initiator.ReadMessage(responder.WriteMessage(v.Messages[1].Payload));
        responder.ReadMessage(initiator.WriteMessage(v.Messages[2].Payload));
        var (respSend, respReceive) = responder.Split();

        var wire = new MemoryStream();
        await using var stream = new NoiseTransportStream(wire, respSend, respReceive);
        await stream.WriteAsync(v.Messages[3].Payload);
        await stream.WriteAsync(v.Messages[5].Payload);

        var expected = new List<byte>();
        foreach (var message in new[] { v.Messages[3], v.Messages[5] })
        {
            var header = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)message.Ciphertext.Length);
            expected.AddRange(header);
            expected.AddRange(message.Ciphertext);
        }

        Assert.Equal(expected, wire.ToArray());
    }

    [Fact]
    public void RejectsTamperedAndShortMessages()
    {
        var v = CacophonyVector.Load();
        using var responder = new NoiseXXHandshakeState(false, v.Prologue, v.RespStatic, v.RespEphemeral);
        Assert.Throws<NoiseHandshakeException>(() => responder.ReadMessage(new byte[31]));

        using var initiator = new NoiseXXHandshakeState(true, v.Prologue, v.InitStatic, v.InitEphemeral);
        initiator.WriteMessage(v.Messages[0].Payload);
        var tampered = v.Messages[1].Ciphertext.ToArray();
        tampered[40] ^= 0x80;
        var e = Assert.Throws<NoiseHandshakeException>(() => initiator.ReadMessage(tampered));
        Assert.Contains("static key failed authentication", e.Message);
    }

    [Fact]
    public void APrologueMismatchFailsMessageTwo()
    {
        var v = CacophonyVector.Load();
        using var initiator = new NoiseXXHandshakeState(true, [], v.InitStatic, v.InitEphemeral);
        using var responder = new NoiseXXHandshakeState(false, v.Prologue, v.RespStatic, v.RespEphemeral);
        responder.ReadMessage(initiator.WriteMessage([]));
        Assert.Throws<NoiseHandshakeException>(() => initiator.ReadMessage(responder.WriteMessage([])));
    }

    [Fact]
    public void OutOfTurnCallsAreProgrammingErrors()
    {
        using var responder = new NoiseXXHandshakeState(false, [], new byte[32]);
        Assert.Throws<InvalidOperationException>(() => responder.WriteMessage([]));
        Assert.Throws<InvalidOperationException>(() => responder.Split());
    }

    [Fact]
    public void X25519MatchesRfc7748AndTheLibp2pVector()
    {
        // RFC 7748 section 6.1.
        var alice = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        var bob = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(NoiseX25519.PublicKey(alice)));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(NoiseX25519.PublicKey(bob)));
        var shared = new byte[32];
        NoiseX25519.Agree(alice, NoiseX25519.PublicKey(bob), shared);
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(shared));

        var signature = LibP2pVectors.Load().Signatures[0];
        Assert.Equal(signature.X25519PublicKey, NoiseX25519.PublicKey(signature.X25519PrivateKey));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")] // order 8
    public void LowOrderRemoteKeysAreRejected(string point)
    {
        var e = Assert.Throws<NoiseHandshakeException>(() => NoiseX25519.Agree(NoiseX25519.GeneratePrivateKey(), Convert.FromHexString(point), new byte[32]));
        Assert.Contains("all-zero", e.Message);
    }
}

/// <summary>tests/vectors/noise-xx-25519-chachapoly-sha256.json (from cacophony), copied to the test output.</summary>
internal sealed record CacophonyVector(
    byte[] Prologue,
    byte[] InitStatic,
    byte[] InitEphemeral,
    byte[] RespStatic,
    byte[] RespEphemeral,
    byte[] HandshakeHash,
    IReadOnlyList<(byte[] Payload, byte[] Ciphertext)> Messages)
{
    public static CacophonyVector Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "noise-xx-25519-chachapoly-sha256.json")));
        var v = json.RootElement.GetProperty("vectors")[0];
        Assert.Equal("Noise_XX_25519_ChaChaPoly_SHA256", v.GetProperty("protocol_name").GetString());
        byte[] Hex(string name) => Convert.FromHexString(v.GetProperty(name).GetString()!);
        var messages = v.GetProperty("messages").EnumerateArray()
            .Select(m => (Convert.FromHexString(m.GetProperty("payload").GetString()!), Convert.FromHexString(m.GetProperty("ciphertext").GetString()!)))
            .ToList();
        return new CacophonyVector(Hex("init_prologue"), Hex("init_static"), Hex("init_ephemeral"), Hex("resp_static"), Hex("resp_ephemeral"), Hex("handshake_hash"), messages);
    }
}
