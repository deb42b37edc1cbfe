using Granary.Filecoin.Cids;
using Granary.Grains.Deals;
using Granary.Grains.Pieces;

namespace Granary.Gateway.Transfer;

/// <summary>
/// <c>Filecoin.MarketImportDealData</c>: the data of an offline deal, from a file on the machine of the silo the CLI
/// talks to. The deal must be offline and at <see cref="DealCheckpoint.Accepted"/>; the file is checked
/// (<see cref="OfflineImport"/>), recorded in the piece directory as the piece's staged copy, and the deal moves to
/// <see cref="DealCheckpoint.Transferred"/>. A file that does not match fails nothing: the operator can import the
/// right one.
/// </summary>
public static class DealDataImport
{
    /// <summary>Imports <paramref name="path"/> as the data of deal <paramref name="deal"/>; returns the deal afterwards.</summary>
    /// <exception cref="DealmakingException">No such deal, not offline, or not waiting for data.</exception>
    /// <exception cref="TransferFailedException">The file does not match the proposal.</exception>
    public static async Task<DealSnapshot> ImportAsync(IGrainFactory grains, string siloName, Guid deal, string path, int threads = 0,
        CancellationToken cancellationToken = default)
    {
        var grain = grains.GetGrain<IDealGrain>(deal);
        var snapshot = await grain.GetStatus() ?? throw new DealmakingException($"there is no deal {deal}");
        if (!snapshot.Deal.IsOffline)
        {
            throw new DealmakingException($"deal {deal} is not an offline deal; its data is transferred from {DescribeTransfer(snapshot)}");
        }

        if (snapshot.Summary.Checkpoint != DealCheckpoint.Accepted)
        {
            throw new DealmakingException($"deal {deal} is at {snapshot.Summary.Checkpoint}{(snapshot.Summary.Error.Length > 0 ? $" ({snapshot.Summary.Error})" : "")}, not waiting for its data");
        }

        var full = Path.GetFullPath(path);
        var size = snapshot.Summary.TransferSize > 0 ? (long?)Math.Min(snapshot.Summary.TransferSize, long.MaxValue) : null;
        var (file, commP) = await OfflineImport.ImportDataAsync(full, Cid.Parse(snapshot.Summary.PieceCid), snapshot.Summary.PieceSize, size, threads,
            cancellationToken);
        var piece = grains.GetPiece(snapshot.Summary.PieceCid);
        await piece.AddDeal(new PieceDeal(deal, snapshot.Summary.ChainDealId, 0, true, DateTimeOffset.UtcNow), snapshot.Summary.PieceSize, commP.PayloadSize);
        await piece.SetStaging(new PieceStaging(siloName, file));
        return await grain.RecordProgress(new DealProgress(DealCheckpoint.Transferred,
            $"imported {commP.PayloadSize} bytes from {file} on {siloName}; CommP matches", (ulong)commP.PayloadSize));
    }

    private static string DescribeTransfer(DealSnapshot snapshot) => snapshot.Deal.Transfer.Type.Length > 0 ? $"a {snapshot.Deal.Transfer.Type} URL" : "the client";
}
