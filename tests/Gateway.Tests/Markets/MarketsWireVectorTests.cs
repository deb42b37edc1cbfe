using System.Numerics;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using static Granary.Gateway.Tests.Markets.MarketsSamples;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// The markets messages against an independent encoder (tests/interop/markets/vectors.mjs: cborg, maps built in the
/// key order reference/filecoin.md documents, no sorting): our bytes equal its bytes; we read its bytes back to the same
/// encoding; and its strict decoder reads our bytes with the documented key order and re-encodes them unchanged.
/// </summary>
public sealed class MarketsWireVectorTests : IDisposable
{
    private readonly MarketsNode _js = MarketsNode.StartVectors();

    public void Dispose() => _js.Dispose();

    [Fact]
    public void The_reference_worked_bytes_match()
    {
        // reference/filecoin.md §2.3: DealResponse{Accepted:true, Message:""} and AskRequest{Miner:f01000}.
        Assert.Equal("a2674d65737361676560684163636570746564f5", Hex(new DealResponse(true, "").ToCbor()));
        Assert.Equal("a1654d696e65724300e807", Hex(new AskRequest(Address.FromId(1000)).ToCbor()));
    }

    [Fact]
    public void DealParams_online_and_offline_match_the_independent_encoder_and_read_back()
    {
        foreach (var deal in new[] { Params(), Params(offline: true), Params() with { SkipIpniAnnounce = true, RemoveUnsealedCopy = false } })
        {
            var ours = deal.ToCbor();
            var theirs = _js.Encode("DealParams", Logical(deal));
            Assert.Equal(Hex(theirs), Hex(ours));
            var read = DealParams.FromCbor(theirs);
            Assert.Equal(Hex(ours), Hex(read.ToCbor()));
            Assert.True(read.ClientDealProposal.VerifyClientSignature());
            Assert.Equal(deal.Transfer, read.Transfer);

            var (keys, reencoded) = _js.Inspect(ours);
            Assert.Equal(["DealUUID", "Transfer", "IsOffline", "DealDataRoot", "SkipIPNIAnnounce", "ClientDealProposal", "RemoveUnsealedCopy"], keys[""]);
            Assert.Equal(["Size", "Type", "Params", "ClientID"], keys["Transfer"]);
            Assert.Equal(Hex(ours), Hex(reencoded));
        }
    }

    [Fact]
    public void A_mk_1_2_0_DealParams_without_the_1_2_1_fields_reads_them_as_false()
    {
        var deal = Params() with { RemoveUnsealedCopy = false, SkipIpniAnnounce = false };
        var v120 = _js.Encode("DealParamsV120", Logical(deal));
        var read = DealParams.FromCbor(v120);
        Assert.False(read.RemoveUnsealedCopy);
        Assert.False(read.SkipIpniAnnounce);
        Assert.Equal(Hex(deal.ToCbor()), Hex(read.ToCbor()));
    }

    [Fact]
    public void DealResponse_and_DealStatusRequest_match()
    {
        foreach (var response in new[] { new DealResponse(true, ""), new DealResponse(false, "storage price per epoch less than asking price: 1 < 95") })
        {
            var theirs = _js.Encode("DealResponse", new { accepted = response.Accepted, message = response.Message });
            Assert.Equal(Hex(theirs), Hex(response.ToCbor()));
            Assert.Equal(response, DealResponse.FromCbor(theirs));
        }

        var request = new DealStatusRequest(Uuid, Secp256k1.Sign(ClientKey, DealStatusRequest.SignedBytes(Uuid)));
        var js = _js.Encode("DealStatusRequest", new { uuid = Hex(Uuid.ToByteArray(bigEndian: true)), signature = Hex(request.Signature.ToBytes()) });
        Assert.Equal(Hex(js), Hex(request.ToCbor()));
        var read = DealStatusRequest.FromCbor(js);
        Assert.Equal(Uuid, read.DealUuid);
        Assert.True(Secp256k1.Verify(read.Signature, Uuid.ToByteArray(bigEndian: true), Client));
        Assert.Equal(["DealUUID", "Signature"], _js.Inspect(request.ToCbor()).Keys[""]);
    }

    [Fact]
    public void DealStatusResponse_with_and_without_a_status_and_a_publish_cid_match()
    {
        var signed = Signed();
        var publish = DagCbor.CidOf([1, 2, 3]);
        DealStatusResponse[] responses =
        [
            new(Uuid, "", new DealStatus("", "Accepted", "", signed.Proposal, signed.Cid(), null, 0), false, 2000, 0),
            new(Uuid, "", new DealStatus("", "PublishConfirmed", "PreCommit1", signed.Proposal, signed.Cid(), publish, 77), true, 2000, 1500),
            DealStatusResponse.Refused(Uuid, "invalid signature"),
        ];
        foreach (var response in responses)
        {
            var ours = response.ToCbor();
            var theirs = _js.Encode("DealStatusResponse", Logical(response));
            Assert.Equal(Hex(theirs), Hex(ours));
            Assert.Equal(Hex(ours), Hex(DealStatusResponse.FromCbor(theirs).ToCbor()));
            var (keys, reencoded) = _js.Inspect(ours);
            Assert.Equal(["Error", "DealUUID", "IsOffline", "DealStatus", "TransferSize", "NBytesReceived"], keys[""]);
            if (response.DealStatus is not null)
            {
                Assert.Equal(["Error", "Status", "Proposal", "PublishCid", "ChainDealID", "SealingStatus", "SignedProposalCid"], keys["DealStatus"]);
            }

            Assert.Equal(Hex(ours), Hex(reencoded));
        }
    }

    [Fact]
    public void The_storage_ask_its_signature_and_the_ask_messages_match()
    {
        var ask = new StorageAsk(50_000_000, 5_000_000, 256, 32L << 30, "t01000", 12, 1_000_012, 3);
        var ours = ask.ToCbor();
        var theirs = _js.Encode("StorageAsk", Logical(ask));
        Assert.Equal(Hex(theirs), Hex(ours));
        Assert.Equal(["Miner", "Price", "SeqNo", "Expiry", "Timestamp", "MaxPieceSize", "MinPieceSize", "VerifiedPrice"], _js.Inspect(ours).Keys[""]);

        var signature = Secp256k1.Sign(ClientKey, ours);
        foreach (var response in new[] { new AskResponse(new SignedStorageAsk(ask, signature)), new AskResponse(null) })
        {
            var bytes = response.ToCbor();
            var js = _js.Encode("AskResponse", new { ask = response.Ask is null ? null : Logical(response.Ask) });
            Assert.Equal(Hex(js), Hex(bytes));
            var read = AskResponse.FromCbor(js);
            Assert.Equal(response.Ask?.Ask, read.Ask?.Ask);
            if (read.Ask is { } signed)
            {
                // What a client checks: the worker's signature over the ask's own encoding.
                Assert.True(Secp256k1.Verify(signed.Signature!, signed.Ask!.ToCbor(), Client));
                Assert.Equal(["Ask", "Signature"], _js.Inspect(bytes).Keys["Ask"]);
            }
        }

        Assert.Equal(Hex(_js.Encode("AskRequest", new { miner = "00e807" })), Hex(new AskRequest(Address.FromId(1000)).ToCbor()));
    }

    [Fact]
    public void The_retrieval_query_its_response_and_the_transports_response_match()
    {
        foreach (var query in new[] { new RetrievalQuery(Root, null), new RetrievalQuery(Root, Piece) })
        {
            var js = _js.Encode("Query", new { payloadCid = Hex(Root.ToBytes()), pieceCid = query.PieceCid is null ? null : Hex(query.PieceCid.ToBytes()) });
            Assert.Equal(Hex(js), Hex(query.ToCbor()));
            Assert.Equal(query, RetrievalQuery.FromCbor(js));
        }

        var response = new QueryResponse(QueryResponseStatus.Available, QueryItemStatus.Available, 2032, Address.FromId(1001), TokenAmount.Zero,
            1 << 20, 1 << 20, "", new TokenAmount(BigInteger.One));
        var theirs = _js.Encode("QueryResponse", Logical(response));
        Assert.Equal(Hex(theirs), Hex(response.ToCbor()));
        Assert.Equal(response, QueryResponse.FromCbor(theirs));
        Assert.Equal(["Size", "Status", "Message", "UnsealPrice", "PieceCIDFound", "PaymentAddress", "MinPricePerByte", "MaxPaymentInterval",
            "MaxPaymentIntervalIncrease"], _js.Inspect(response.ToCbor()).Keys[""]);

        var http = Libp2p.Multiaddrs.Multiaddr.Parse("/dns/sp.example/tcp/443/https").ToBytes();
        var libp2p = Libp2p.Multiaddrs.Multiaddr.Parse("/ip4/192.0.2.1/tcp/24001").ToBytes();
        var transports = new TransportsResponse([new TransportProtocol("https", [http]), new TransportProtocol("libp2p", [libp2p, http])]);
        var jsTransports = _js.Encode("TransportsResponse", new
        {
            protocols = transports.Protocols.Select(p => new { name = p.Name, addresses = p.Addresses.Select(Hex).ToArray() }).ToArray(),
        });
        Assert.Equal(Hex(jsTransports), Hex(transports.ToCbor()));
        var read = TransportsResponse.FromCbor(jsTransports);
        Assert.Equal(["https", "libp2p"], read.Protocols.Select(p => p.Name));
        Assert.Equal(Hex(libp2p), Hex(read.Protocols[1].Addresses[0]));
        Assert.Equal(["Name", "Addresses"], _js.Inspect(transports.ToCbor()).Keys["Protocols[0]"]);
    }
}
