using System.Formats.Cbor;
using System.Numerics;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Granary.Libp2p.Multiaddrs;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// The markets protocols end to end over real libp2p connections into a cluster with two gateways and a mining silo
/// on a devnet (<see cref="MarketsCluster"/>): acceptance persisted before the answer, every refusal with its reason,
/// duplicates, back-pressure, status with good and bad signatures, the worker-signed ask, the retrieval query and
/// transports, and deals taken by one gateway answered by the other.
/// </summary>
public sealed class MarketsProtocolTests(MarketsCluster cluster) : IClassFixture<MarketsCluster>
{
    [Fact]
    public async Task A_valid_proposal_is_accepted_and_its_Accepted_state_is_in_storage()
    {
        var deal = await cluster.DealAsync();
        var response = await cluster.ProposeAsync(cluster.GatewayA, deal);
        Assert.Equal(new DealResponse(true, ""), response);

        // Deactivate the grain: what it answers next comes from grain storage.
        var grain = cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid);
        await cluster.Cluster.DeactivateAsync(grain);
        var status = await grain.GetStatus();
        Assert.NotNull(status);
        Assert.Equal(DealCheckpoint.Accepted, status.Summary.Checkpoint);
        Assert.Equal("", status.Summary.Error);
        Assert.Equal(deal.ClientDealProposal.Cid().ToString(), status.SignedProposalCid);
        Assert.Equal(Convert.ToHexString(deal.ClientDealProposal.ToCbor()), Convert.ToHexString(status.Deal.ClientDealProposal));
        Assert.Equal((MarketsProtocolIds.DealV121, "Silo_0", cluster.ClientHost.PeerId.ToString()), (status.Deal.Protocol, status.Deal.Gateway, status.Deal.ClientPeer));
        var accepted = Assert.Single(status.History);
        Assert.Equal(DealCheckpoint.Accepted, accepted.Checkpoint);

        var listed = await cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner).List(0, 10_000);
        var summary = Assert.Single(listed, d => d.DealUuid == deal.DealUuid);
        Assert.Equal((MarketsCluster.Client.ToString('t'), cluster.Miner, 2048L), (summary.Client, summary.Provider, summary.PieceSize));
    }

    [Fact]
    public async Task Each_refusal_answers_with_its_reason_and_records_nothing()
    {
        var head = await cluster.HeadAsync();
        var good = await cluster.DealAsync();
        var badSignature = good with
        {
            ClientDealProposal = good.ClientDealProposal with { ClientSignature = Secp256k1.Sign(MarketsCluster.PoorKey, good.ClientDealProposal.Proposal.ToCbor()) },
        };
        (DealParams Deal, string Reason)[] cases =
        [
            (badSignature, "invalid client signature: the signature over the proposal is not"),
            (await cluster.DealAsync(change: p => p with { Provider = Address.FromId(1999) }), "incorrect provider for deal"),
            (await cluster.DealAsync(change: p => p with { PieceSize = 4096 }), "piece size more than the sector size: 4096 > 2048"),
            (await cluster.DealAsync(change: p => p with { StoragePricePerEpoch = new TokenAmount(10) }), "storage price per epoch less than asking price: 10 < 95"),
            (await cluster.DealAsync(change: p => p with { StartEpoch = head + 50, EndEpoch = head + 50 + DealmakingOptions.FilecoinMinDealDuration }),
                $"is too soon: it must be at least {MarketsCluster.SealingBuffer} epochs after the current epoch {head}"),
            (await cluster.DealAsync(change: p => p with { StartEpoch = head + 120, EndEpoch = head + 120 + DealmakingOptions.FilecoinMinDealDuration }),
                $"cannot seal the deal in time: sealing is expected to take 00:10:00 (ExpectedSealDuration, {MarketsCluster.SealEpochs} epochs)"),
            (await cluster.DealAsync(change: p => p with { StartEpoch = head - 1 }), "deal start epoch has already elapsed"),
            (await cluster.DealAsync(change: p => p with { EndEpoch = p.StartEpoch - 1 }), "proposal end before proposal start"),
            (await cluster.DealAsync(change: p => p with { EndEpoch = p.StartEpoch + 1000 }), "deal duration out of bounds (min, max, provided): 518400, 3680640, 1000"),
            (await cluster.DealAsync(clientKey: MarketsCluster.PoorKey), "client market balance too small: available 0 FIL"),
            (await cluster.DealAsync(change: p => p with { VerifiedDeal = true }), "verified deals are not supported"),
            (await cluster.DealAsync(transfer: new DealTransfer("libp2p", "", [], 2000)), "transfer type 'libp2p' is not supported"),
            (await cluster.DealAsync(transfer: MarketsSamples.HttpTransfer(5000)), "transfer size 5000 is larger than the piece can hold (2032 bytes unpadded in 2048)"),
            (await cluster.DealAsync(transfer: new DealTransfer("http", "", "not json"u8.ToArray(), 2000)), "invalid http transfer params"),
            (await cluster.DealAsync(transfer: new DealTransfer("http", "", new HttpTransferRequest("ftp://x/y", null).ToJson(), 2000)), "is not an http or https URL"),
        ];
        foreach (var (deal, reason) in cases)
        {
            var response = await cluster.ProposeAsync(cluster.GatewayA, deal);
            Assert.False(response.Accepted, reason);
            Assert.Contains(reason, response.Message);
            Assert.Null(await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).GetStatus());
        }
    }

    [Fact]
    public async Task Unreadable_proposals_are_answered_with_why()
    {
        var garbage = await cluster.ProposeBytesAsync(cluster.GatewayA, [0xa1, 0x1c]);
        Assert.Equal((false, "cannot read the deal proposal (malformed): reserved CBOR header 0x1c"), (garbage.Accepted, garbage.Message));

        var notAMap = await cluster.ProposeBytesAsync(cluster.GatewayA, [0x83, 1, 2, 3]);
        Assert.Contains("DealParams must be a CBOR map", notAMap.Message);

        // The client stops half way (and closes its side): truncated.
        var half = (await cluster.DealAsync()).ToCbor()[..100];
        var truncated = DealResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayA, MarketsProtocolIds.DealV121, half, closeWrite: true));
        Assert.StartsWith("cannot read the deal proposal (truncated): the stream ended after 100 bytes", truncated.Message);

        // A label longer than 256 bytes, in Boost's words.
        var deal = await cluster.DealAsync();
        var labelled = LongLabel(deal, 300);
        var label = await cluster.ProposeBytesAsync(cluster.GatewayA, labelled);
        Assert.Equal((false, "cannot read the deal proposal (oversized): deal label can be at most 256 bytes, is 300"), (label.Accepted, label.Message));

        // Gateway B waits 1 s for a request that never comes.
        var silent = DealResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayB, MarketsProtocolIds.DealV120, []));
        Assert.Equal("cannot read the deal proposal (timeout): the request did not arrive within 1 s", silent.Message);
    }

    [Fact]
    public async Task The_ask_limits_and_prices_are_the_ones_set()
    {
        var ask = cluster.Grains.GetGrain<IStorageAskGrain>(cluster.Miner);
        var before = await ask.GetAsk();
        try
        {
            var set = await ask.SetAsk(new AskSettings(1_000_000_000, 1, 1_000, 256, 1024));
            Assert.Equal(before.SeqNo + 1, set.Ask.SeqNo);
            var tooBig = await cluster.ProposeAsync(cluster.GatewayB, await cluster.DealAsync());
            Assert.Equal("piece size more than maximum allowed size: 2048 > 1024", tooBig.Message);
            var tooSmall = await cluster.ProposeAsync(cluster.GatewayB, await cluster.DealAsync(change: p => p with { PieceSize = 128 }));
            Assert.Equal("piece size less than minimum required size: 128 < 256", tooSmall.Message);

            await ask.SetAsk(new AskSettings(1_000_000_000, 1, 1_000, 256, 2048));
            var cheap = await cluster.ProposeAsync(cluster.GatewayB, await cluster.DealAsync());
            Assert.Equal("storage price per epoch less than asking price: 100 < 1907", cheap.Message);
            await Assert.ThrowsAsync<DealmakingException>(() => ask.SetAsk(new AskSettings(1, 1, 1_000, 4096, 2048)));
        }
        finally
        {
            await ask.SetAsk(new AskSettings(before.Price, before.VerifiedPrice, 1_000_000, before.MinPieceSize, before.MaxPieceSize));
        }
    }

    [Fact]
    public async Task The_same_proposal_again_is_answered_as_before_and_another_under_its_UUID_is_refused()
    {
        var deal = await cluster.DealAsync(offline: true);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayB, deal)).Accepted);

        var other = await cluster.DealAsync(uuid: deal.DealUuid, offline: true, change: p => p with { StoragePricePerEpoch = new TokenAmount(101) });
        var refused = await cluster.ProposeAsync(cluster.GatewayB, other);
        Assert.Equal($"deal {deal.DealUuid} already exists: a deal with this UUID and a different proposal was accepted earlier", refused.Message);
        var status = await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).GetStatus();
        Assert.Equal(Convert.ToHexString(deal.ClientDealProposal.ToCbor()), Convert.ToHexString(status!.Deal.ClientDealProposal));
        Assert.Single(status.History);
    }

    [Fact]
    public async Task When_the_transfer_slots_are_taken_deals_are_refused_until_one_is_released()
    {
        var directory = cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner);
        var taken = new List<Guid>();
        try
        {
            DealResponse response;
            do
            {
                var deal = await cluster.DealAsync();
                response = await cluster.ProposeAsync(taken.Count % 2 == 0 ? cluster.GatewayA : cluster.GatewayB, deal);
                if (response.Accepted)
                {
                    taken.Add(deal.DealUuid);
                }
            }
            while (response.Accepted && taken.Count <= MarketsCluster.MaxTransfers);

            Assert.Equal($"cannot accept the deal: {MarketsCluster.MaxTransfers} transfers are already in progress, the limit (MaxConcurrentTransfers); try again later",
                response.Message);
            Assert.Equal(MarketsCluster.MaxTransfers, (await directory.Describe()).Transfers);
            Assert.NotEmpty(taken);

            // An offline deal takes no transfer slot; a failed deal gives its slot back.
            Assert.True((await cluster.ProposeAsync(cluster.GatewayA, await cluster.DealAsync(offline: true))).Accepted);
            var failed = await cluster.Grains.GetGrain<IDealGrain>(taken[0]).Fail("test: the client gave up");
            Assert.Equal((DealCheckpoint.Complete, "test: the client gave up"), (failed.Summary.Checkpoint, failed.Summary.Error));
            taken.RemoveAt(0);
            var next = await cluster.DealAsync();
            Assert.True((await cluster.ProposeAsync(cluster.GatewayB, next)).Accepted);
            taken.Add(next.DealUuid);
        }
        finally
        {
            foreach (var uuid in taken)
            {
                await cluster.Grains.GetGrain<IDealGrain>(uuid).Fail("test: releasing the slot");
            }
        }
    }

    [Fact]
    public async Task Later_stages_move_a_deal_forward_only_and_its_reservations_go_as_it_goes()
    {
        var deal = await cluster.DealAsync();
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        var grain = cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid);
        var directory = cluster.Grains.GetGrain<IDealDirectoryGrain>(cluster.Miner);
        var accepted = await directory.Describe();

        // Bytes received at the same checkpoint: recorded, no history step.
        await grain.RecordProgress(new DealProgress(DealCheckpoint.Accepted, NBytesReceived: 1000));
        var transferred = await grain.RecordProgress(new DealProgress(DealCheckpoint.Transferred, "CommP matches", NBytesReceived: 2000));
        Assert.Equal((DealCheckpoint.Transferred, 2000UL), (transferred.Summary.Checkpoint, transferred.NBytesReceived));
        var afterTransfer = await directory.Describe();
        Assert.Equal((accepted.Transfers - 1, accepted.StagingBytesReserved), (afterTransfer.Transfers, afterTransfer.StagingBytesReserved));

        var backwards = await Assert.ThrowsAsync<DealmakingException>(() => grain.RecordProgress(new DealProgress(DealCheckpoint.Accepted)));
        Assert.Equal($"deal {deal.DealUuid} is at Transferred; it cannot move to Accepted (use Fail to end it)", backwards.Message);
        await Assert.ThrowsAsync<DealmakingException>(() => grain.RecordProgress(new DealProgress(DealCheckpoint.Complete)));

        var publish = Filecoin.Cbor.DagCbor.CidOf([7]);
        await grain.RecordProgress(new DealProgress(DealCheckpoint.PublishConfirmed, PublishCid: publish.ToString(), ChainDealId: 42));
        var added = await grain.RecordProgress(new DealProgress(DealCheckpoint.AddedPiece, SectorNumber: 5, SealingStatus: "PreCommit1"));
        Assert.Equal((42UL, 5UL, "PreCommit1"), (added.Summary.ChainDealId, added.SectorNumber, added.SealingStatus));
        Assert.Equal(accepted.StagingBytesReserved - 2000, (await directory.Describe()).StagingBytesReserved);
        Assert.Equal([DealCheckpoint.Accepted, DealCheckpoint.Transferred, DealCheckpoint.PublishConfirmed, DealCheckpoint.AddedPiece],
            added.History.Select(h => h.Checkpoint));

        var status = await StatusAsync(cluster.GatewayB, new DealStatusRequest(deal.DealUuid, Secp256k1.Sign(MarketsCluster.ClientKey, DealStatusRequest.SignedBytes(deal.DealUuid))));
        Assert.Equal(("AddedPiece", "PreCommit1", publish, 42UL, 2000UL), (status.DealStatus!.Status, status.DealStatus.SealingStatus, status.DealStatus.PublishCid,
            status.DealStatus.ChainDealId, status.NBytesReceived));
        Assert.Equal(DealCheckpoint.AddedPiece, (await directory.List(0, 10_000)).Single(d => d.DealUuid == deal.DealUuid).Checkpoint);

        var failed = await grain.Fail("sector 5 failed: test");
        Assert.True(failed.Summary.Failed);
        var complete = await Assert.ThrowsAsync<DealmakingException>(() => grain.RecordProgress(new DealProgress(DealCheckpoint.IndexedAndAnnounced)));
        Assert.Contains("is complete (failed: sector 5 failed: test)", complete.Message);
        Assert.Equal($"deal {deal.DealUuid} failed: sector 5 failed: test", (await cluster.ProposeAsync(cluster.GatewayA, deal)).Message);
    }

    [Fact]
    public async Task Status_answers_the_client_and_refuses_other_signers()
    {
        var deal = await cluster.DealAsync(offline: true);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        var uuidBytes = DealStatusRequest.SignedBytes(deal.DealUuid);

        var good = await StatusAsync(cluster.GatewayB, new DealStatusRequest(deal.DealUuid, Secp256k1.Sign(MarketsCluster.ClientKey, uuidBytes)));
        Assert.Equal("", good.Error);
        Assert.Equal(deal.DealUuid, good.DealUuid);
        Assert.True(good.IsOffline);
        var status = Assert.IsType<DealStatus>(good.DealStatus);
        Assert.Equal(("Accepted", "", "", 0UL, null), (status.Status, status.Error, status.SealingStatus, status.ChainDealId, status.PublishCid));
        Assert.Equal(deal.ClientDealProposal.Cid(), status.SignedProposalCid);
        Assert.Equal(Convert.ToHexString(deal.ClientDealProposal.Proposal.ToCbor()), Convert.ToHexString(status.Proposal.ToCbor()));

        var stranger = await StatusAsync(cluster.GatewayA, new DealStatusRequest(deal.DealUuid, Secp256k1.Sign(MarketsCluster.PoorKey, uuidBytes)));
        Assert.Equal($"invalid signature: the request is not signed by the deal's client {MarketsCluster.Client.ToString('t')}", stranger.Error);
        Assert.Null(stranger.DealStatus);

        var otherBytes = await StatusAsync(cluster.GatewayA, new DealStatusRequest(deal.DealUuid, Secp256k1.Sign(MarketsCluster.ClientKey, [1, 2, 3])));
        Assert.StartsWith("invalid signature", otherBytes.Error);

        var bls = await StatusAsync(cluster.GatewayA, new DealStatusRequest(deal.DealUuid, new Signature(SignatureType.Bls, new byte[96])));
        Assert.Equal("invalid signature: Bls signatures are not supported by this provider (secp256k1 only)", bls.Error);

        var unknown = Guid.NewGuid();
        var none = await StatusAsync(cluster.GatewayA, new DealStatusRequest(unknown, Secp256k1.Sign(MarketsCluster.ClientKey, DealStatusRequest.SignedBytes(unknown))));
        Assert.Equal($"failed to fetch deal state: no deal {unknown}", none.Error);

        var malformed = DealStatusResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayA, MarketsProtocolIds.DealStatus, [0xa1, 0x68, .. "DealUUID"u8, 0x41, 0x00]));
        Assert.StartsWith("cannot read the status request (malformed)", malformed.Error);
    }

    [Fact]
    public async Task A_deal_taken_by_one_gateway_is_answered_by_the_other()
    {
        var deal = await cluster.DealAsync();
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, deal)).Accepted);
        var fromB = await StatusAsync(cluster.GatewayB, new DealStatusRequest(deal.DealUuid, Secp256k1.Sign(MarketsCluster.ClientKey, DealStatusRequest.SignedBytes(deal.DealUuid))));
        Assert.Equal(("", "Accepted"), (fromB.Error, fromB.DealStatus!.Status));
        Assert.Equal((2000UL, 0UL), (fromB.TransferSize, fromB.NBytesReceived));

        var status = await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).GetStatus();
        Assert.Equal("Silo_0", status!.Deal.Gateway);
        await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).Fail("test: releasing the slot");
    }

    [Fact]
    public async Task The_ask_is_signed_by_the_worker_and_another_miners_ask_is_nil()
    {
        var response = AskResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayA, MarketsProtocolIds.Ask, new AskRequest(Address.Parse(cluster.Miner)).ToCbor()));
        var signed = Assert.IsType<SignedStorageAsk>(response.Ask);
        var ask = signed.Ask!;
        Assert.Equal(cluster.Miner, ask.Miner);
        Assert.True(ask.Expiry > ask.Timestamp);
        Assert.True(Secp256k1.Verify(signed.Signature!, ask.ToCbor(), MarketsCluster.Worker));
        Assert.False(Secp256k1.Verify(signed.Signature!, ask.ToCbor(), MarketsCluster.Client));

        var other = AskResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayB, MarketsProtocolIds.Ask, new AskRequest(Address.FromId(4242)).ToCbor()));
        Assert.Null(other.Ask);
    }

    [Fact]
    public async Task The_query_reports_availability_from_the_piece_directory_and_transports_list_both_endpoints()
    {
        var absent = MarketsSamples.Root;
        var piece = Filecoin.Pieces.PieceCid.V1(Filecoin.Pieces.CommP.Compute("granary query piece"u8).Commitment);
        var unknown = QueryResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayA, MarketsProtocolIds.Query, new RetrievalQuery(absent, piece).ToCbor()));
        Assert.Equal((QueryResponseStatus.Unavailable, QueryItemStatus.Unavailable), (unknown.Status, unknown.PieceCidFound));
        Assert.Equal($"piece {piece} is not here", unknown.Message);
        Assert.Equal(await cluster.Devnet.StateLookupID(MarketsCluster.Worker, null), unknown.PaymentAddress);

        // The piece with a staged copy: available, with its unpadded size and the worker as the payment address.
        var directory = cluster.Grains.GetPiece(piece.ToString());
        await directory.AddDeal(new PieceDeal(Guid.NewGuid(), 0, Address.Parse(cluster.Miner).Id, false, DateTimeOffset.UtcNow), 2048, 2000);
        await directory.SetStaging(new PieceStaging("Silo_0", "/nonexistent/staged.car"));
        var available = QueryResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayB, MarketsProtocolIds.Query, new RetrievalQuery(absent, piece).ToCbor()));
        Assert.Equal((QueryResponseStatus.Available, QueryItemStatus.Available, 2032UL, TokenAmount.Zero), (available.Status, available.PieceCidFound, available.Size, available.MinPricePerByte));

        var byPayload = QueryResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayA, MarketsProtocolIds.Query, new RetrievalQuery(absent, null).ToCbor()));
        Assert.Equal((QueryResponseStatus.Unavailable, QueryItemStatus.Unavailable), (byPayload.Status, byPayload.PieceCidFound));

        var transports = TransportsResponse.FromCbor(await cluster.ExchangeAsync(cluster.GatewayA, MarketsProtocolIds.Transports, []));
        Assert.Equal(["http", "libp2p"], transports.Protocols.Select(p => p.Name));
        Assert.Equal("/ip4/127.0.0.1/tcp/24002/http", Multiaddr.FromBytes(transports.Protocols[0].Addresses[0]).ToString());
        Assert.Equal(cluster.GatewayA.ToString(), Multiaddr.FromBytes(transports.Protocols[1].Addresses[0]).ToString());
    }

    [Fact]
    public async Task A_proposal_built_and_sent_by_js_libp2p_with_an_independent_encoder_is_accepted()
    {
        var head = await cluster.HeadAsync();
        var uuid = Guid.NewGuid();
        var transfer = MarketsSamples.HttpTransfer(1900);
        var output = await MarketsNode.ProposeAsync(new
        {
            addr = cluster.GatewayB.ToString(),
            clientKey = Convert.ToHexStringLower(MarketsCluster.ClientKey),
            provider = Convert.ToHexStringLower(Address.Parse(cluster.Miner).ToBytes()),
            uuid = Convert.ToHexStringLower(uuid.ToByteArray(bigEndian: true)),
            pieceCid = Convert.ToHexStringLower(MarketsSamples.Piece.ToBytes()),
            pieceSize = 2048,
            root = Convert.ToHexStringLower(MarketsSamples.Root.ToBytes()),
            label = MarketsSamples.Root.ToString(),
            start = head + 400,
            end = head + 400 + DealmakingOptions.FilecoinMinDealDuration,
            price = "96",
            transfer = new { type = transfer.Type, clientId = transfer.ClientId, @params = Convert.ToHexStringLower(transfer.Params), size = transfer.Size },
        });
        Assert.Equal(MarketsProtocolIds.DealV121, output["protocol"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(MarketsCluster.Client.ToBytes()), output["client"]!.GetValue<string>());
        Assert.True(output["response"]!["Accepted"]!.GetValue<bool>(), output.ToJsonString());
        Assert.Equal("", output["response"]!["Message"]!.GetValue<string>());

        var status = await cluster.Grains.GetGrain<IDealGrain>(uuid).GetStatus();
        Assert.NotNull(status);
        var signed = ClientDealProposal.FromCbor(status.Deal.ClientDealProposal);
        Assert.Equal(output["proposalCbor"]!.GetValue<string>(), Convert.ToHexStringLower(signed.Proposal.ToCbor()));
        Assert.Equal((new BigInteger(96), MarketsSamples.Root.ToString()), (signed.Proposal.StoragePricePerEpoch.AttoFil, signed.Proposal.Label.Text));
        Assert.Equal(transfer, new DealTransfer(status.Deal.Transfer.Type, status.Deal.Transfer.ClientId, status.Deal.Transfer.Params, status.Deal.Transfer.Size));

        // The js client's own status request, signed by it, answered from the deal grain.
        var js = output["status"]!;
        Assert.Equal(("", "Accepted"), (js["Error"]!.GetValue<string>(), js["Status"]!.GetValue<string>()));
        Assert.Equal(Convert.ToHexStringLower(signed.Cid().ToBytes()), js["SignedProposalCid"]!.GetValue<string>());
        await cluster.Grains.GetGrain<IDealGrain>(uuid).Fail("test: releasing the slot");
    }

    private async Task<DealStatusResponse> StatusAsync(Multiaddr gateway, DealStatusRequest request) =>
        DealStatusResponse.FromCbor(await cluster.ExchangeAsync(gateway, MarketsProtocolIds.DealStatus, request.ToCbor()));

    // DealParams whose signed proposal has a label longer than the market actor allows (DealLabel refuses to make one).
    private static byte[] LongLabel(DealParams deal, int length)
    {
        var w = new CborWriter(CborConformanceMode.Lax);
        var r = new CborReader(deal.ToCbor());
        var entries = r.ReadStartMap()!.Value;
        w.WriteStartMap(entries);
        for (var i = 0; i < entries; i++)
        {
            var key = r.ReadTextString();
            w.WriteTextString(key);
            if (key != "ClientDealProposal")
            {
                w.WriteEncodedValue(r.ReadEncodedValue().Span);
                continue;
            }

            r.ReadStartArray();
            r.ReadStartArray();
            w.WriteStartArray(2);
            w.WriteStartArray(11);
            for (var field = 0; field < 11; field++)
            {
                if (field == 5)
                {
                    r.SkipValue();
                    w.WriteTextString(new string('L', length));
                }
                else
                {
                    w.WriteEncodedValue(r.ReadEncodedValue().Span);
                }
            }

            r.ReadEndArray();
            w.WriteEndArray();
            w.WriteEncodedValue(r.ReadEncodedValue().Span);
            r.ReadEndArray();
            w.WriteEndArray();
        }

        w.WriteEndMap();
        return w.Encode();
    }
}
