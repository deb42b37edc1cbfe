using Granary.Filecoin.Pieces;
using Granary.Gateway.Tests.Markets;
using Granary.Gateway.Transfer;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gateway.Tests;

/// <summary>
/// The transfer stage and offline import against real deal grains: deals proposed over libp2p to the markets cluster
/// (devnet chain, two gateways), then pulled from a real HTTP server or imported from a file, up to
/// <see cref="DealCheckpoint.Transferred"/> with the piece recorded in the piece directory — or failed with the reason.
/// </summary>
public sealed class TransferStageTests(MarketsCluster cluster) : IClassFixture<MarketsCluster>, IDisposable
{
    private static readonly TransferOptions Fast = TransferOptions.Default with { Attempts = 1, RetryDelay = TimeSpan.Zero };
    private readonly string _staging = Directory.CreateTempSubdirectory("granary-stage-").FullName;

    public void Dispose() => Directory.Delete(_staging, recursive: true);

    [Fact]
    public async Task An_accepted_deal_is_pulled_verified_recorded_in_the_piece_directory_and_moved_to_transferred()
    {
        var data = TransferPullerTests.RandomData(1500, 41);
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(data));
        var (uuid, snapshot) = await ProposeAsync(data, Http(server.Url("/deal.car"), data.Length, "Bearer abc"));
        await using var stage = Stage();

        await stage.StartAsync(snapshot, CancellationToken.None);
        await stage.StartAsync(snapshot, CancellationToken.None); // already running here: nothing more
        await stage.WhenDone(uuid);

        var deal = (await cluster.Grains.GetGrain<IDealGrain>(uuid).GetStatus())!;
        Assert.Equal(DealCheckpoint.Transferred, deal.Summary.Checkpoint);
        Assert.Equal("", deal.Summary.Error);
        Assert.Equal((ulong)data.Length, deal.NBytesReceived);
        Assert.Equal("Bearer abc", Assert.Single(server.Requests).Headers["Authorization"]);
        var piece = (await cluster.Grains.GetPiece(deal.Summary.PieceCid).Info())!;
        Assert.Equal(uuid, Assert.Single(piece.Deals).DealUuid);
        Assert.Equal(2048, piece.PieceSize);
        Assert.Equal(data.Length, piece.PayloadSize);
        Assert.Equal(Path.Combine(_staging, $"{uuid}.car"), piece.Staging!.Path);
        Assert.Equal(data, await File.ReadAllBytesAsync(piece.Staging.Path));
    }

    [Fact]
    public async Task Data_whose_commp_is_not_the_proposals_fails_the_deal_and_is_deleted()
    {
        var data = TransferPullerTests.RandomData(1500, 42);
        var other = TransferPullerTests.RandomData(1500, 43);
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(other));
        var (uuid, snapshot) = await ProposeAsync(data, Http(server.Url("/deal.car"), other.Length));
        await using var stage = Stage();

        await stage.StartAsync(snapshot, CancellationToken.None);
        await stage.WhenDone(uuid);

        var deal = (await cluster.Grains.GetGrain<IDealGrain>(uuid).GetStatus())!;
        Assert.Equal(DealCheckpoint.Complete, deal.Summary.Checkpoint);
        Assert.StartsWith("transfer failed: CommP mismatch", deal.Summary.Error);
        Assert.Empty(Directory.GetFiles(_staging));
    }

    [Fact]
    public async Task A_refused_url_fails_the_deal_naming_the_address()
    {
        var data = TransferPullerTests.RandomData(1500, 44);
        await using var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(data));
        var (uuid, snapshot) = await ProposeAsync(data, Http(server.Url("/deal.car"), data.Length));
        await using var stage = Stage(allowPrivate: false);

        await stage.StartAsync(snapshot, CancellationToken.None);
        await stage.WhenDone(uuid);

        var deal = (await cluster.Grains.GetGrain<IDealGrain>(uuid).GetStatus())!;
        Assert.Equal(DealCheckpoint.Complete, deal.Summary.Checkpoint);
        Assert.Contains("127.0.0.1 is in 127.0.0.0/8 (loopback)", deal.Summary.Error);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task An_offline_deal_takes_its_data_from_an_imported_file_checked_against_the_proposal()
    {
        var data = TransferPullerTests.RandomData(1800, 45);
        var (uuid, _) = await ProposeAsync(data, null);
        var wrong = Path.Combine(_staging, "wrong.car");
        var right = Path.Combine(_staging, "right.car");
        await File.WriteAllBytesAsync(wrong, TransferPullerTests.RandomData(1800, 46));
        await File.WriteAllBytesAsync(right, data);

        var mismatch = await Assert.ThrowsAsync<TransferFailedException>(() => DealDataImport.ImportAsync(cluster.Grains, "Silo_0", uuid, wrong));
        Assert.StartsWith("CommP mismatch", mismatch.Message);
        Assert.Equal(DealCheckpoint.Accepted, (await cluster.Grains.GetGrain<IDealGrain>(uuid).GetStatus())!.Summary.Checkpoint);

        var deal = await DealDataImport.ImportAsync(cluster.Grains, "Silo_0", uuid, right);
        Assert.Equal(DealCheckpoint.Transferred, deal.Summary.Checkpoint);
        Assert.Equal((ulong)data.Length, deal.NBytesReceived);
        var piece = (await cluster.Grains.GetPiece(deal.Summary.PieceCid).Info())!;
        Assert.True(Assert.Single(piece.Deals).IsOffline);
        Assert.Equal(right, piece.Staging!.Path);

        var again = await Assert.ThrowsAsync<DealmakingException>(() => DealDataImport.ImportAsync(cluster.Grains, "Silo_0", uuid, right));
        Assert.Contains("not waiting for its data", again.Message);
        await Assert.ThrowsAsync<DealmakingException>(() => DealDataImport.ImportAsync(cluster.Grains, "Silo_0", Guid.NewGuid(), right));
    }

    [Fact]
    public async Task Only_offline_deals_take_imported_data()
    {
        var data = TransferPullerTests.RandomData(1500, 47);
        var (uuid, _) = await ProposeAsync(data, Http(new Uri("http://127.0.0.1:9/x.car"), data.Length));
        var file = Path.Combine(_staging, "online.car");
        await File.WriteAllBytesAsync(file, data);

        var error = await Assert.ThrowsAsync<DealmakingException>(() => DealDataImport.ImportAsync(cluster.Grains, "Silo_0", uuid, file));
        Assert.Contains("is not an offline deal", error.Message);
    }

    private async Task<(Guid Uuid, DealSnapshot Snapshot)> ProposeAsync(byte[] data, DealTransfer? transfer)
    {
        var commP = CommP.Compute(data);
        var pieceCid = PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, 2048));
        var deal = await cluster.DealAsync(change: p => p with { PieceCid = pieceCid, PieceSize = 2048 }, transfer: transfer, offline: transfer is null);
        var answer = await cluster.ProposeAsync(cluster.GatewayA, deal);
        Assert.True(answer.Accepted, answer.Message);
        return (deal.DealUuid, (await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).GetStatus())!);
    }

    private static DealTransfer Http(Uri url, int size, string? authorization = null) => new("http", "",
        new HttpTransferRequest(url.ToString(), authorization is null ? null : new Dictionary<string, string> { ["Authorization"] = authorization }).ToJson(),
        (ulong)size);

    private HttpTransferStage Stage(bool allowPrivate = true) => new(
        new TransferPuller(new TransferUrlPolicy(allowPrivate), new StagingArea(_staging, 0), Fast, NullLogger<TransferPuller>.Instance),
        cluster.Grains, "Silo_0", Fast, NullLogger<HttpTransferStage>.Instance);
}
