using Granary.Filecoin.Pieces;
using Granary.Gateway.Retrieval;
using Granary.Grains.Pieces;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gateway.Tests;

/// <summary>A markets silo's piece directory plus its HTTP retrieval endpoint on a real Kestrel listener (127.0.0.1).</summary>
internal sealed class RetrievalTestNode : IAsyncDisposable
{
    private RetrievalTestNode(PieceTestCluster cluster, TransferTestServer server, HttpClient http)
    {
        Cluster = cluster;
        Server = server;
        Http = http;
    }

    public PieceTestCluster Cluster { get; }

    public TransferTestServer Server { get; }

    public HttpClient Http { get; }

    public static async Task<RetrievalTestNode> StartAsync(string directory, RetrievalOptions? options = null)
    {
        var cluster = await PieceTestCluster.StartAsync(directory);
        options ??= RetrievalOptions.Default;
        var endpoint = new RetrievalEndpoint(
            new PieceRetrievalHandler(cluster.Grains, cluster.Reader, NullLogger<PieceRetrievalHandler>.Instance),
            new TrustlessGatewayHandler(cluster.Grains, cluster.Blocks, cluster.Reader, options, NullLogger<TrustlessGatewayHandler>.Instance),
            options);
        var server = await TransferTestServer.StartAsync(endpoint.HandleAsync);
        return new RetrievalTestNode(cluster, server, new HttpClient { BaseAddress = server.Url("/") });
    }

    /// <summary>Records a payload file as a staged, indexed piece (of <paramref name="pieceSize"/>, default its own size); returns its v1 CID.</summary>
    public async Task<string> AddPieceAsync(string file, long? pieceSize = null, bool index = true)
    {
        var payload = await File.ReadAllBytesAsync(file);
        var commP = CommP.Compute(payload);
        var size = pieceSize ?? commP.PaddedSize;
        var key = PieceCid.V1(CommP.ZeroPad(commP.Commitment, commP.PaddedSize, size)).ToString();
        var piece = Cluster.Grains.GetPiece(key);
        await piece.AddDeal(new PieceDeal(Guid.NewGuid(), 0, 1000, false, DateTimeOffset.UtcNow), size, payload.Length);
        await piece.SetStaging(new PieceStaging("Silo_0", file));
        if (index)
        {
            Assert.Equal(PieceIndexState.Indexed, (await piece.IndexPiece()).State);
        }

        return key;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
