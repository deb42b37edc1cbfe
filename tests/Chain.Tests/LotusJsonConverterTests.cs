using System.Numerics;
using System.Text.Json;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>Lotus's JSON conventions for each chain type: the exact text written and what is accepted.</summary>
public sealed class LotusJsonConverterTests
{
    private static readonly Address Secp = Address.FromSecp256k1PublicKey(Enumerable.Repeat((byte)4, 65).ToArray());

    [Fact]
    public void Addresses_are_written_with_the_configured_network_and_read_with_either()
    {
        Assert.Equal("\"t01000\"", LotusJson.Serialize(Address.FromId(1000)));
        Assert.Equal("\"f01000\"", LotusJson.Serialize(Address.FromId(1000), LotusJson.MainnetOptions));
        Assert.Equal("\"" + Secp.ToString('t') + "\"", LotusJson.Serialize(Secp));
        Assert.Equal(Address.FromId(1000), LotusJson.Deserialize<Address>("\"f01000\""));
        Assert.Equal(Address.FromId(1000), LotusJson.Deserialize<Address>("\"t01000\"", LotusJson.MainnetOptions));
        Assert.Equal(Secp, LotusJson.Deserialize<Address>("\"" + Secp.ToString('f') + "\""));
        Assert.Throws<ArgumentOutOfRangeException>(() => LotusJson.CreateOptions('x'));
    }

    [Fact]
    public void Cids_are_slash_objects()
    {
        var cid = Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
        Assert.Equal("{\"/\":\"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4\"}", LotusJson.Serialize(cid));
        Assert.Equal(cid, LotusJson.Deserialize<Cid>("{ \"/\" : \"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4\" }"));
    }

    [Fact]
    public void Amounts_and_big_integers_are_decimal_strings_of_atto_units()
    {
        Assert.Equal("\"1500000000000000000\"", LotusJson.Serialize(TokenAmount.Parse("1.5")));
        Assert.Equal("\"-7\"", LotusJson.Serialize(new TokenAmount(-7)));
        Assert.Equal("\"0\"", LotusJson.Serialize(TokenAmount.Zero));
        Assert.Equal(TokenAmount.FromFil(3), LotusJson.Deserialize<TokenAmount>("\"3000000000000000000\""));
        var big = BigInteger.Pow(2, 255);
        Assert.Equal(big, LotusJson.Deserialize<BigInteger>(LotusJson.Serialize(big)));
        Assert.Equal(new BigInteger(-12), LotusJson.Deserialize<BigInteger>("\"-12\""));
    }

    [Fact]
    public void Bytes_are_base64_and_null_is_empty_as_Go_nil()
    {
        Assert.Equal("\"AQID\"", LotusJson.Serialize(new byte[] { 1, 2, 3 }));
        Assert.Equal("\"\"", LotusJson.Serialize(Array.Empty<byte>()));
        Assert.Empty(LotusJson.Deserialize<MessageReceipt>("{\"ExitCode\":0,\"Return\":null,\"GasUsed\":1}").Return);
    }

    [Fact]
    public void Bitfields_are_go_bitfield_runs_with_empty_as_a_single_zero()
    {
        Assert.Equal("[0]", LotusJson.Serialize(BitField.Empty));
        Assert.Equal("[0,3]", LotusJson.Serialize(new BitField([0, 1, 2])));
        Assert.Equal("[2,2,3,1]", LotusJson.Serialize(new BitField([2, 3, 7])));
        Assert.Equal(BitField.Empty, LotusJson.Deserialize<BitField>("[0]"));
        Assert.Equal(BitField.Empty, LotusJson.Deserialize<BitField>("[]"));
        Assert.Equal(new BitField([0, 1, 2, 8, 9]), LotusJson.Deserialize<BitField>("[0,3,5,2]"));
        var refused = Assert.Throws<JsonException>(() => LotusJson.Deserialize<BitField>("[1,0,2]"));
        Assert.Contains("zero-length run", refused.Message);
    }

    [Fact]
    public void Messages_carry_their_CID_and_an_input_CID_does_not_change_it()
    {
        var message = new Message(0, Address.FromId(1000), Secp, 3, TokenAmount.FromFil(1), 1_000_000, new TokenAmount(100), new TokenAmount(1), 0, []);
        var json = LotusJson.Serialize(message);
        Assert.Equal(
            $"{{\"Version\":0,\"To\":\"t01000\",\"From\":\"{Secp.ToString('t')}\",\"Nonce\":3,\"Value\":\"1000000000000000000\",\"GasLimit\":1000000,"
            + $"\"GasFeeCap\":\"100\",\"GasPremium\":\"1\",\"Method\":0,\"Params\":\"\",\"CID\":{{\"/\":\"{message.Cid()}\"}}}}", json);

        var lying = json.Replace(message.Cid().ToString(), "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
        var read = LotusJson.Deserialize<Message>(lying);
        Assert.Equal(message.Cid(), read.Cid());

        // Lotus clients often omit zero fields and send null Params.
        var sparse = LotusJson.Deserialize<Message>($"{{\"To\":\"t01000\",\"From\":\"{Secp.ToString('f')}\",\"Value\":\"5\",\"Params\":null}}");
        Assert.Equal(new TokenAmount(5), sparse.Value);
        Assert.Empty(sparse.Params);
        Assert.Equal(0L, sparse.GasLimit);
    }

    [Fact]
    public void Signed_messages_are_named_as_Lotus_names_them()
    {
        var message = new Message(0, Address.FromId(1000), Secp, 3, TokenAmount.Zero, 1, TokenAmount.Zero, TokenAmount.Zero, 0, []);
        var secp = new SignedMessage(message, new Signature(SignatureType.Secp256k1, new byte[65]));
        var node = JsonSerializer.SerializeToNode(secp, LotusJson.Options)!;
        Assert.Equal(secp.Cid().ToString(), node["CID"]!["/"]!.GetValue<string>());
        Assert.NotEqual(message.Cid(), secp.Cid());
        Assert.Equal(1, node["Signature"]!["Type"]!.GetValue<int>());
        Assert.Equal(Convert.ToBase64String(new byte[65]), node["Signature"]!["Data"]!.GetValue<string>());
        Assert.Equal(secp.Cid(), LotusJson.Deserialize<SignedMessage>(node.ToJsonString()).Cid());
    }

    [Fact]
    public void Head_changes_use_Lotus_type_names_and_tipsets_carry_parents_in_each_block()
    {
        var tipSet = ChainRpcFakeNode.TipSetAt(5);
        var json = LotusJson.Serialize(new HeadChange(HeadChangeType.Revert, tipSet));
        var node = JsonDocument.Parse(json).RootElement;
        Assert.Equal("revert", node.GetProperty("Type").GetString());
        Assert.Equal(5, node.GetProperty("Val").GetProperty("Height").GetInt64());
        var block = node.GetProperty("Val").GetProperty("Blocks")[0];
        Assert.Equal(ChainRpcFakeNode.Block(4).ToString(), block.GetProperty("Parents")[0].GetProperty("/").GetString());
        Assert.Equal("t01000", block.GetProperty("Miner").GetString());

        var back = LotusJson.Deserialize<HeadChange>(json);
        Assert.Equal(HeadChangeType.Revert, back.Type);
        Assert.Equal(tipSet.Key, back.Value.Key);
        Assert.Equal(tipSet.Parents, back.Value.Parents);
        Assert.Equal(tipSet.Blocks[0].Ticket, back.Value.Blocks[0].Ticket);
        Assert.Equal(tipSet.Timestamp, back.Value.Timestamp);
    }

    [Fact]
    public void Miner_info_round_trips_and_a_missing_peer_id_is_null()
    {
        var info = ChainRpcFakeNode.Info;
        var back = LotusJson.Deserialize<MinerInfo>(LotusJson.Serialize(info));
        Assert.Equal(info.PeerId, back.PeerId);
        Assert.Equal(info.Multiaddrs.Single(), back.Multiaddrs.Single());
        Assert.Equal(info.ControlAddresses, back.ControlAddresses);
        Assert.Equal(info.Owner, back.Owner);

        var none = info with { PeerId = null, Multiaddrs = [], ControlAddresses = [] };
        var json = JsonDocument.Parse(LotusJson.Serialize(none)).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("PeerId").ValueKind);
        var read = LotusJson.Deserialize<MinerInfo>(json.GetRawText().Replace("\"Multiaddrs\":[]", "\"Multiaddrs\":null").Replace("\"ControlAddresses\":[]", "\"ControlAddresses\":null"));
        Assert.Null(read.PeerId);
        Assert.Empty(read.Multiaddrs);
        Assert.Empty(read.ControlAddresses);
    }

    [Fact]
    public void Deadline_info_writes_exactly_Lotus_twelve_fields()
    {
        var info = DeadlineInfo.Current(ChainPolicy.Devnet, 7, 1000);
        var json = JsonDocument.Parse(LotusJson.Serialize(info)).RootElement;
        Assert.Equal(12, json.EnumerateObject().Count());
        Assert.False(json.TryGetProperty("IsOpen", out _));
        Assert.Equal(info, LotusJson.Deserialize<DeadlineInfo>(json.GetRawText()));
    }

    [Fact]
    public void Deal_labels_are_strings_and_bytes_labels_survive_in_dag_json_form()
    {
        var proposal = new DealProposal(ChainRpcFakeNode.Block(1), 2048, false, Address.FromId(5), Address.FromId(6), DealLabel.FromBytes([1, 2]),
            10, 20, new TokenAmount(1), TokenAmount.Zero, TokenAmount.Zero);
        var json = LotusJson.Serialize(proposal);
        Assert.Contains("\"Label\":{\"/\":{\"bytes\":\"AQI=\"}}", json);
        Assert.Equal(proposal, LotusJson.Deserialize<DealProposal>(json));
        var text = proposal with { Label = DealLabel.FromString("bafkqaaa") };
        Assert.Contains("\"Label\":\"bafkqaaa\"", LotusJson.Serialize(text));
        Assert.Equal(text, LotusJson.Deserialize<DealProposal>(LotusJson.Serialize(text)));
    }

    [Fact]
    public void Key_types_are_Lotus_strings_and_the_deprecated_numbers_are_read()
    {
        Assert.Equal("\"secp256k1\"", LotusJson.Serialize(WalletKeyType.Secp256k1));
        Assert.Equal("\"bls\"", LotusJson.Serialize(WalletKeyType.Bls));
        Assert.Equal(WalletKeyType.Secp256k1, LotusJson.Deserialize<WalletKeyType>("1"));
        Assert.Equal(WalletKeyType.Bls, LotusJson.Deserialize<WalletKeyType>("2"));
        Assert.Contains("secp256k1-ledger", Assert.Throws<JsonException>(() => LotusJson.Deserialize<WalletKeyType>("\"secp256k1-ledger\"")).Message);
        Assert.Equal("4", LotusJson.Serialize(DomainSeparationTag.WindowedPoStChallengeSeed));
    }

    [Fact]
    public void Null_sector_answers_and_optional_unsealed_CID()
    {
        var info = new SectorPreCommitInfo(8, 1, ChainRpcFakeNode.Block(3), 5, [], 100, null);
        var json = JsonDocument.Parse(LotusJson.Serialize(info)).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("UnsealedCid").ValueKind);
        Assert.Equal(0, json.GetProperty("DealIDs").GetArrayLength());
        var back = LotusJson.Deserialize<SectorPreCommitInfo>(json.GetRawText().Replace("\"DealIDs\":[]", "\"DealIDs\":null"));
        Assert.Null(back.UnsealedCid);
        Assert.Empty(back.DealIds);
    }
}
