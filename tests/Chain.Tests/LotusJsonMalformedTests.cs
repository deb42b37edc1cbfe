using System.Text;
using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>Malformed, truncated, hostile and oversized Lotus JSON is refused with a JsonException naming what and where.</summary>
public sealed class LotusJsonMalformedTests
{
    [Theory]
    [InlineData("\"bafy…\"", "a CID is")]
    [InlineData("{\"/\":\"bafy\"}", "is not a CID")]
    [InlineData("{\"/\":\"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4\",\"x\":1}", "no other keys")]
    [InlineData("{}", "missing \"/\"")]
    [InlineData("{\"/\":5}", "its text")]
    public void Bad_CIDs(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<JsonException>(() => LotusJson.Deserialize<Cid>(json)).Message);

    [Theory]
    [InlineData("\"x01000\"", "network prefix")]
    [InlineData("\"f01000x\"", "id address")]
    [InlineData("1000", "an address is a string")]
    [InlineData("\"f1abcdefghijklmnopqrstuvwxyz\"", "")]
    public void Bad_addresses(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<JsonException>(() => LotusJson.Deserialize<Address>(json)).Message);

    [Theory]
    [InlineData("1000", "decimal string")]
    [InlineData("\"1e18\"", "decimal digits")]
    [InlineData("\"\"", "decimal digits")]
    [InlineData("\" 5\"", "decimal digits")]
    [InlineData("\"-\"", "decimal digits")]
    public void Bad_amounts(string json, string expected) =>
        Assert.Contains(expected, Assert.Throws<JsonException>(() => LotusJson.Deserialize<TokenAmount>(json)).Message);

    [Fact]
    public void An_amount_with_too_many_digits_is_refused_before_parsing() =>
        Assert.Contains("more than 320 digits", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TokenAmount>("\"" + new string('9', 400) + "\"")).Message);

    [Fact]
    public void Bad_base64_and_bad_signature_types()
    {
        Assert.Contains("base64", Assert.Throws<JsonException>(() => LotusJson.Deserialize<byte[]>("\"not base64!\"")).Message);
        Assert.Contains("unknown signature type 9", Assert.Throws<JsonException>(() => LotusJson.Deserialize<Signature>("{\"Type\":9,\"Data\":\"\"}")).Message);
        Assert.Contains("Signature: missing Type", Assert.Throws<JsonException>(() => LotusJson.Deserialize<Signature>("{\"Data\":\"\"}")).Message);
    }

    [Fact]
    public void A_bad_field_deep_in_a_tipset_names_the_field_and_the_path()
    {
        var json = LotusJson.Serialize(ChainRpcFakeNode.TipSetAt(3)).Replace("\"Miner\":\"t01000\"", "\"Miner\":\"nobody\"");
        var e = Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>(json));
        Assert.Contains("Blocks[0]", e.Message);
        Assert.Contains("BlockHeader.Miner", e.Message);
        Assert.Contains("'nobody' is not an address", e.Message);
    }

    [Fact]
    public void A_bad_element_in_a_list_names_its_index_and_path()
    {
        var json = "[{\"PostSubmissions\":[0],\"DisputableProofCount\":0},{\"PostSubmissions\":[1,0,1],\"DisputableProofCount\":0}]";
        var e = Assert.Throws<JsonException>(() => LotusJson.Deserialize<IReadOnlyList<Deadline>>(json));
        Assert.Contains("[1]", e.Message);
        Assert.Contains("Deadline.PostSubmissions", e.Message);
        Assert.Contains("zero-length run", e.Message);
    }

    [Fact]
    public void Missing_required_fields_are_named()
    {
        Assert.Contains("Message: missing From", Assert.Throws<JsonException>(() => LotusJson.Deserialize<Message>("{\"To\":\"t01000\"}")).Message);
        Assert.Contains("MinerInfo: missing Worker", Assert.Throws<JsonException>(() => LotusJson.Deserialize<MinerInfo>("{\"Owner\":\"t01000\",\"SectorSize\":2048}")).Message);
        Assert.Contains("TipSet: missing Cids", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>("{\"Blocks\":[],\"Height\":1}")).Message);
        // A record read by the serializer (no converter of ours) still refuses a missing member.
        Assert.Throws<JsonException>(() => LotusJson.Deserialize<MarketBalance>("{\"Escrow\":\"1\"}"));
        Assert.Throws<JsonException>(() => LotusJson.Deserialize<MarketBalance>("{\"Escrow\":\"1\",\"Locked\":null}"));
    }

    [Theory]
    [InlineData("{\"Cids\":[{\"/\":\"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4\"}],\"Blocks\":[")]
    [InlineData("{\"Cids\":[{\"/\":\"bafy2bzace")]
    [InlineData("{\"Cids\"")]
    [InlineData("")]
    [InlineData("{\"Cids\":[],\"Blocks\":[],\"Height\":1}}")]
    [InlineData("{\"Cids\":[],\"Blocks\":[],\"Height\":1,}")]
    public void Truncated_and_trailing_garbage_JSON_is_refused(string json) =>
        Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>(json));

    [Fact]
    public void Wrong_token_kinds_are_refused()
    {
        Assert.Contains("TipSet: expected an object, got an array", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>("[]")).Message);
        Assert.Contains("a bitfield is an array", Assert.Throws<JsonException>(() => LotusJson.Deserialize<BitField>("{}")).Message);
        Assert.Contains("non-negative integers", Assert.Throws<JsonException>(() => LotusJson.Deserialize<BitField>("[-1]")).Message);
        Assert.Contains("non-negative integers", Assert.Throws<JsonException>(() => LotusJson.Deserialize<BitField>("[1.5]")).Message);
        Assert.Throws<JsonException>(() => LotusJson.Deserialize<DeadlineInfo>("{\"CurrentEpoch\":\"1\"}"));
        Assert.Contains("expected a TipSet, got null", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>("null")).Message);
    }

    [Fact]
    public void An_oversized_document_is_refused_before_it_is_parsed()
    {
        var huge = new byte[LotusJson.MaxDocumentBytes + 1];
        huge.AsSpan().Fill((byte)' ');
        Assert.Contains("larger than the limit", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>(huge)).Message);
        Assert.Contains("larger than the limit", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSet>(Encoding.ASCII.GetString(huge))).Message);
    }

    [Fact]
    public void Over_long_arrays_and_over_large_bitfields_are_refused()
    {
        var list = "[" + string.Join(",", Enumerable.Repeat("\"t01\"", LotusJson.MaxArrayLength + 1)) + "]";
        Assert.Contains("longer than 100000", Assert.Throws<JsonException>(() => LotusJson.Deserialize<IReadOnlyList<Address>>(list)).Message);

        // Twenty bytes that would otherwise ask for billions of members.
        Assert.Contains("more than", Assert.Throws<JsonException>(() => LotusJson.Deserialize<BitField>("[0,4000000000]")).Message);
        Assert.Contains("overflows", Assert.Throws<JsonException>(() => LotusJson.Deserialize<BitField>("[18446744073709551615,2]")).Message);

        var cids = "[" + string.Join(",", Enumerable.Repeat("{\"/\":\"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4\"}", 257)) + "]";
        Assert.Contains("at most 256 blocks", Assert.Throws<JsonException>(() => LotusJson.Deserialize<TipSetKey>(cids)).Message);
    }

    [Fact]
    public void Deep_nesting_is_refused()
    {
        var deep = new string('[', 100) + new string(']', 100);
        Assert.Throws<JsonException>(() => LotusJson.Deserialize<IReadOnlyList<BitField>>(deep));
    }

    [Fact]
    public void Over_long_params_are_refused()
    {
        var json = $"{{\"To\":\"t01000\",\"From\":\"t01001\",\"Params\":\"{Convert.ToBase64String(new byte[Message.MaxParamsBytes + 1])}\"}}";
        Assert.Contains($"Params are longer than {Message.MaxParamsBytes} bytes", Assert.Throws<JsonException>(() => LotusJson.Deserialize<Message>(json)).Message);
    }
}
