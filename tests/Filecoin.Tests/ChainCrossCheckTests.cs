using System.Security.Cryptography;
using System.Text.Json;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Tests.Interop;

namespace Granary.Filecoin.Tests;

/// <summary>Addresses against @glif/filecoin-address; keys, message CBOR and signatures against @zondax/filecoin-signing-tools.</summary>
public sealed class ChainCrossCheckTests : IDisposable
{
    private readonly NodeSession _js = NodeScript.Start("filecoin", "chain.mjs");
    private readonly Random _random = new(17);

    public void Dispose() => _js.Dispose();

    [Fact]
    public void Addresses_of_every_protocol_round_trip_through_glif_both_ways()
    {
        var addresses = new List<Address> { Address.FromId(0), Address.FromId(1000), Address.FromId(long.MaxValue) };
        for (var i = 0; i < 20; i++)
        {
            addresses.Add(Address.FromId((ulong)_random.NextInt64()));
            addresses.Add(Address.FromSecp256k1PublicKey([0x04, .. Bytes(64)]));
            addresses.Add(Address.FromActorData(Bytes(40)));
            addresses.Add(Address.FromBlsPublicKey(Bytes(48)));
            addresses.Add(Address.Delegated(10, Bytes(20)));
        }

        foreach (var address in addresses)
        {
            var parsed = _js.Call(new { op = "parseAddress", text = address.ToString() });
            Assert.True(parsed.GetProperty("ok").GetBoolean(), parsed.ToString());
            Assert.Equal(Convert.ToHexStringLower(address.ToBytes()), parsed.GetProperty("bytes").GetString());
            Assert.Equal(address.ToString('t'), parsed.GetProperty("t").GetString());

            var formatted = _js.Call(new { op = "formatAddress", bytes = Convert.ToHexStringLower(address.ToBytes()) });
            Assert.Equal(address.ToString(), formatted.GetProperty("f").GetString());
            Assert.Equal(address, Address.Parse(formatted.GetProperty("f").GetString()!));
            Assert.Equal(address, Address.FromBytes(address.ToBytes()));
        }
    }

    [Theory]
    [InlineData("f1ick6swk3i23qdgn74hz2yu4wsoryzuaw4h3jk4y", "bad checksum")]
    [InlineData("f1ick6svk3i23qdgn74hz2yu4wsoryzuaw", "")]
    [InlineData("x01000", "network prefix")]
    [InlineData("f91000", "unknown address protocol")]
    [InlineData("f0abc", "decimal")]
    [InlineData("f018446744073709551616", "decimal")]
    [InlineData("f", "wrong length")]
    [InlineData("f410", "f4 NAMESPACE")]
    public void Bad_address_text_is_refused_and_glif_agrees(string text, string message)
    {
        var error = Assert.Throws<FilecoinFormatException>(() => Address.Parse(text));
        Assert.Contains(message, error.Message);
        if (text.Length > 1 && text[0] == 'f')
        {
            Assert.False(_js.Call(new { op = "parseAddress", text }).GetProperty("ok").GetBoolean());
        }
    }

    [Fact]
    public void Keys_messages_and_signatures_agree_with_zondax_both_ways()
    {
        for (var i = 0; i < 12; i++)
        {
            var key = Bytes(32);
            var from = Secp256k1.AddressOf(key);
            var js = _js.Call(new { op = "key", privateKey = Convert.ToHexStringLower(key) });
            Assert.Equal(from.ToString(), js.GetProperty("address").GetString());
            Assert.Equal(Convert.ToHexStringLower(Secp256k1.PublicKey(key)), js.GetProperty("publicKey").GetString());

            // zondax's verifier cannot parse f0 recipients, so half the messages go to an f1 address.
            var to = i % 2 == 0 ? Address.FromId((ulong)_random.Next(1000, 99999)) : Address.FromSecp256k1PublicKey([0x04, .. Bytes(64)]);
            var message = new Message(0, to, from, (ulong)i * 3,
                new TokenAmount(_random.NextInt64()), 1_000_000 + i, new TokenAmount(100 + i), new TokenAmount(i), (ulong)i, i % 2 == 0 ? [] : Bytes(i * 5));
            var raw = new
            {
                To = message.To.ToString(), From = message.From.ToString(), Nonce = (long)message.Nonce, Value = message.Value.AttoFil.ToString(),
                GasLimit = message.GasLimit, GasFeeCap = message.GasFeeCap.AttoFil.ToString(), GasPremium = message.GasPremium.AttoFil.ToString(),
                Method = (long)message.Method, Params = Convert.ToBase64String(message.Params),
            };

            var serialized = _js.Call(new { op = "serialize", message = raw });
            Assert.True(serialized.GetProperty("ok").GetBoolean(), serialized.ToString());
            Assert.Equal(serialized.GetProperty("cbor").GetString(), Convert.ToHexStringLower(message.ToCbor()));

            var ours = SignedMessage.SignSecp256k1(message, key);
            var theirs = _js.Call(new { op = "sign", message = raw, privateKey = Convert.ToHexStringLower(key) }).GetProperty("signature").GetString()!;
            Assert.Equal(theirs, Convert.ToHexStringLower(ours.Signature.Data));   // RFC 6979: deterministic
            if (to.Protocol != AddressProtocol.Id)
            {
                var verified = _js.Call(new { op = "verify", message = raw, signature = Convert.ToHexStringLower(ours.Signature.Data) });
                Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
            }

            Assert.True(new SignedMessage(message, new Signature(SignatureType.Secp256k1, Convert.FromHexString(theirs))).VerifySignature());

            var damaged = ours.Signature.Data.ToArray();
            damaged[5] ^= 1;
            Assert.False(new SignedMessage(message, new Signature(SignatureType.Secp256k1, damaged)).VerifySignature());
            Assert.False(new SignedMessage(message with { Nonce = message.Nonce + 1 }, ours.Signature).VerifySignature());
            Assert.Equal(ours.ToCbor(), SignedMessage.FromCbor(ours.ToCbor()).ToCbor());
            Assert.Equal(ours.Cid(), SignedMessage.FromCbor(ours.ToCbor()).Cid());
        }
    }

    private byte[] Bytes(int n)
    {
        var b = new byte[n];
        _random.NextBytes(b);
        return b;
    }
}
