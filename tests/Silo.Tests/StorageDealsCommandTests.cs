using System.Text.Json;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary storage-deals set-ask|get-ask|list|status</c> against a real <c>granary run</c> (monolith) on a remote
/// devnet process: the ask is set, read back signed by the worker, and checked by the deal a libp2p client proposes
/// to the silo's own libp2p host (the markets protocols as the silo serves them); the accepted deal is then listed
/// and shown.
/// </summary>
public sealed class StorageDealsCommandTests
{
    [Fact]
    public async Task The_ask_set_on_the_CLI_prices_deals_proposed_over_libp2p_which_list_and_status_show()
    {
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var repo = Path.Combine(dir.Path, "silo");
        var retrieval = FreePorts.Take(1)[0];
        // The sections after [Chain] ride on its lines: a free retrieval port and a short sealing buffer.
        var config = TestConfig.OnFreePorts(chain: $"""
            ApiInfo = "{devnet.ApiInfo}"
            [Retrieval]
            ListenAddress = "/ip4/127.0.0.1/tcp/{retrieval}/http"
            [Dealmaking]
            StartEpochSealingBuffer = 20
            ExpectedSealDuration = "0s"
            """);
        config.WriteTo(repo);
        await RepoCli.RunAsync(repo, "init", "--sector-size", "2KiB", "--from", devnet.Faucet);
        var miner = JsonDocument.Parse(File.ReadAllText(Path.Combine(repo, "miner.json"))).RootElement;
        var worker = Address.Parse(miner.GetProperty("Worker").GetString()!);

        // A client with escrow, funded by the devnet's faucet.
        using var chain = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
        var clientKey = Blake2b.Hash256("granary storage-deals test client"u8);
        var client = Secp256k1.AddressOf(clientKey);
        var faucet = Address.Parse(devnet.Faucet);
        await DevnetDeals.SendAsync(chain, new Message(0, client, faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Send, []));
        await DevnetDeals.SendAsync(chain, new Message(0, Address.FromId(Granary.Chain.Devnet.SystemActors.Market), faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero,
            ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(client)));

        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);

        var initial = await RepoCli.RunAsync(repo, "storage-deals", "get-ask");
        Assert.Contains("Price per GiB/Epoch", initial);
        Assert.Contains("0.00000000005 FIL", initial);
        Assert.Contains(worker.ToString('t'), initial);

        var set = await RepoCli.RunAsync(repo, "storage-deals", "set-ask", "--price", "0.0000000001", "--verified-price", "0", "--min-piece-size", "256B");
        Assert.StartsWith("storage ask 1 set", set);
        var ask = JsonDocument.Parse(await RepoCli.RunAsync(repo, "storage-deals", "get-ask", "--json")).RootElement;
        Assert.Equal(("100000000", "0", 256L, 2048L, 1UL), (ask.GetProperty("Ask").GetProperty("Price").GetString(), ask.GetProperty("Ask").GetProperty("VerifiedPrice").GetString(),
            ask.GetProperty("Ask").GetProperty("MinPieceSize").GetInt64(), ask.GetProperty("Ask").GetProperty("MaxPieceSize").GetInt64(), ask.GetProperty("Ask").GetProperty("SeqNo").GetUInt64()));
        var signed = ask.GetProperty("Ask");
        var storageAsk = new Grains.Deals.StorageAsk(100_000_000, 0, 256, 2048, signed.GetProperty("Miner").GetString()!, signed.GetProperty("Timestamp").GetInt64(),
            signed.GetProperty("Expiry").GetInt64(), 1);
        var signature = new Signature(SignatureType.Secp256k1, Convert.FromBase64String(ask.GetProperty("Signature").GetProperty("Data").GetString()!));
        Assert.True(Secp256k1.Verify(signature, storageAsk.ToCbor(), worker));

        var (badPrice, badPriceOutput) = await GranaryProcess.RunAsync(["storage-deals", "set-ask", "--price", "lots", "--verified-price", "0", "--repo", repo]);
        Assert.Equal((2, "granary: --price: 'lots' is not an amount of FIL"), (badPrice, badPriceOutput.Trim()));

        // Deals over the silo's libp2p host: the ask's price (100000000 × 2048 / 2^30 = 190) refuses 150 and takes 200.
        var peer = (await RepoCli.RunAsync(repo, "net", "id")).Trim();
        var gateway = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{config.Libp2pPort}/p2p/{peer}");
        await using var host = new Libp2pHost(Identity.Generate());
        var cheap = await DevnetDeals.ProposeAsync(host, gateway, await DevnetDeals.ProposalAsync(chain, clientKey, miner.GetProperty("Miner").GetString()!, 150, "storage-deals test piece"u8.ToArray(), 200));
        Assert.Equal((false, "storage price per epoch less than asking price: 150 < 190"), (cheap.Accepted, cheap.Message));
        var deal = await DevnetDeals.ProposalAsync(chain, clientKey, miner.GetProperty("Miner").GetString()!, 200, "storage-deals test piece"u8.ToArray(), 200);
        Assert.Equal(new DealResponse(true, ""), await DevnetDeals.ProposeAsync(host, gateway, deal));

        var list = await RepoCli.RunAsync(repo, "storage-deals", "list");
        var row = Assert.Single(list.Split('\n'), l => l.Contains(deal.DealUuid.ToString(), StringComparison.Ordinal));
        Assert.Contains(client.ToString('t'), row);
        Assert.Contains("2 KiB", row);
        Assert.EndsWith("Accepted", row.TrimEnd());
        var json = JsonDocument.Parse(await RepoCli.RunAsync(repo, "storage-deals", "list", "--json")).RootElement;
        Assert.Equal(1, json.GetProperty("Total").GetInt64());
        // The sealing backlog on this monolith: its own planner reported (no sector yet), the accepted deal needs one.
        Assert.Equal((true, 0, 1), (json.GetProperty("SealingKnown").GetBoolean(), json.GetProperty("SealingSectors").GetInt32(),
            json.GetProperty("SectorsNeeded").GetInt32()));
        Assert.Contains("sealing for deals: 0 sectors open or sealing, 1 more needed by deals not yet in a sector", list);
        Assert.Equal(deal.DealUuid.ToString(), json.GetProperty("Deals")[0].GetProperty("DealUuid").GetString());

        var status = await RepoCli.RunAsync(repo, "storage-deals", "status", deal.DealUuid.ToString());
        Assert.Contains("Checkpoint:     Accepted", status);
        Assert.Contains($"Proposal CID:   {deal.ClientDealProposal.Cid()} (signed)", status);
        Assert.Contains("Transfer:       offline", status);
        Assert.Contains("Accepted             accepted by ", status);

        var unknown = Guid.NewGuid();
        var (missingCode, missing) = await GranaryProcess.RunAsync(["storage-deals", "status", unknown.ToString(), "--repo", repo]);
        Assert.Equal((1, $"granary: Filecoin.MarketDealStatus: no deal {unknown}"), (missingCode, missing.Trim()));
        var (badCode, bad) = await GranaryProcess.RunAsync(["storage-deals", "status", "not-a-uuid", "--repo", repo]);
        Assert.Equal(2, badCode);
        Assert.Contains("'not-a-uuid' is not a deal UUID", bad);

        await silo.TerminateAsync();
        Assert.True(silo.ExitCode == 0, $"granary run exited with {silo.ExitCode}:\n{silo.Output}");
    }
}
