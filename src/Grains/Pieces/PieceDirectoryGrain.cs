using Granary.Filecoin;
using Granary.Filecoin.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Pieces;

/// <inheritdoc cref="IPieceDirectoryGrain" />
[RequiresSubsystem(Subsystem.Markets)]
public sealed partial class PieceDirectoryGrain(
    [PersistentState("piece", GrainStorage.Name)] IPersistentState<PieceDirectoryState> state,
    PieceReader reader,
    PieceBlockStore blocks,
    ILogger<PieceDirectoryGrain> logger) : Grain, IPieceDirectoryGrain
{
    private string _key = "";

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        if (!PieceKey.TryParse(key, out var parsed, out var reason) || parsed.Key != key)
        {
            throw new ArgumentException($"piece directory key '{key}' is not a v1 piece CID ({(reason.Length > 0 ? reason : "use the baga6ea4seaq… form")})");
        }

        _key = key;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PieceRecord?> Info()
    {
        var s = state.State;
        return Task.FromResult(s.Deals.Count == 0 && s.Sectors.Count == 0 && s.Staging is null && s.PieceSize == 0 ? null : Record());
    }

    /// <inheritdoc />
    public async Task AddDeal(PieceDeal deal, long pieceSize, long payloadSize)
    {
        CheckSizes(pieceSize, payloadSize);
        var s = state.State;
        var existing = s.Deals.FindIndex(d => d.DealUuid == deal.DealUuid);
        if (existing >= 0)
        {
            s.Deals[existing] = deal with { AddedAt = s.Deals[existing].AddedAt };
        }
        else
        {
            s.Deals.Add(deal.AddedAt == default ? deal with { AddedAt = DateTimeOffset.UtcNow } : deal);
        }

        s.PieceSize = pieceSize;
        // The same piece from another deal may carry a shorter payload (the rest zeros); the first recorded is kept.
        s.PayloadSize = s.PayloadSize == 0 ? payloadSize : s.PayloadSize;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task SetStaging(PieceStaging? staging)
    {
        if (staging is not null && !Path.IsPathFullyQualified(staging.Path))
        {
            throw new ArgumentException($"staging path '{staging.Path}' is not absolute");
        }

        state.State.Staging = staging;
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task AddSectorLocation(SectorId sector, long offset, long length)
    {
        var s = state.State;
        if (!PaddedPieceSize.IsValid(length) || offset < 0 || offset % length != 0)
        {
            throw new ArgumentException($"{length} padded bytes at offset {offset} is not a piece placement (a power-of-two size from 128, at a multiple of it)");
        }

        if (s.PieceSize != 0 && s.PieceSize != length)
        {
            throw new ArgumentException($"piece {_key} is {s.PieceSize} padded bytes, not {length}");
        }

        s.PieceSize = length;
        s.Sectors.RemoveAll(l => l.Sector == sector);
        s.Sectors.Add(new PieceSectorLocation(sector, offset, length));
        await state.WriteStateAsync();
        LogPlaced(_key, sector.Name, offset);
    }

    /// <inheritdoc />
    public async Task RemoveSectorLocation(SectorId sector)
    {
        if (state.State.Sectors.RemoveAll(l => l.Sector == sector) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task<PieceIndexSummary> IndexPiece(bool force = false)
    {
        var s = state.State;
        if (!force && s.Index.State == PieceIndexState.Indexed)
        {
            return s.Index;
        }

        if (s.PayloadSize == 0)
        {
            throw new InvalidOperationException($"piece {_key} has no deal recording its payload size; add a deal before indexing");
        }

        s.Index = s.Index with { State = PieceIndexState.Indexing, Error = "", At = DateTimeOffset.UtcNow };
        await state.WriteStateAsync();
        var record = Record();
        var key = _key;
        try
        {
            // Reading and hashing a piece of up to 64 GiB runs on the thread pool, off the grain's scheduler.
            var result = await Task.Run(async () =>
            {
                await using var content = await reader.OpenPayloadAsync(record);
                await blocks.ClearAsync(key);
                return await CarPayloadIndexer.IndexAsync(content.Stream, record.PayloadSize, batch => blocks.AddAsync(key, batch));
            });
            s.Index = new PieceIndexSummary(PieceIndexState.Indexed, result.Blocks, [.. result.Roots.Select(r => r.ToString())], result.Version, "",
                DateTimeOffset.UtcNow);
            LogIndexed(key, result.Blocks);
        }
        catch (FilecoinFormatException e)
        {
            s.Index = Failed($"the payload is not a CAR: {e.Message}");
        }
        catch (Exception e) when (e is PieceUnavailableException or IOException or HttpRequestException)
        {
            s.Index = Failed(e.Message);
            await state.WriteStateAsync();
            throw e as PieceUnavailableException ?? new PieceUnavailableException($"piece {key} could not be read: {e.Message}");
        }

        await state.WriteStateAsync();
        return s.Index;
    }

    private PieceIndexSummary Failed(string error)
    {
        LogIndexFailed(_key, error);
        return state.State.Index with { State = PieceIndexState.Failed, Error = error, At = DateTimeOffset.UtcNow };
    }

    private PieceRecord Record()
    {
        var s = state.State;
        return new PieceRecord(_key, s.PieceSize, s.PayloadSize, [.. s.Deals], [.. s.Sectors], s.Staging, s.Index);
    }

    private void CheckSizes(long pieceSize, long payloadSize)
    {
        if (!PaddedPieceSize.IsValid(pieceSize))
        {
            throw new ArgumentException($"{pieceSize} is not a padded piece size (a power of two from 128 to 64 GiB)");
        }

        if (payloadSize <= 0 || payloadSize > PaddedPieceSize.Unpadded(pieceSize))
        {
            throw new ArgumentException($"a payload of {payloadSize} bytes does not fit a {pieceSize}-byte piece (1..{PaddedPieceSize.Unpadded(pieceSize)})");
        }

        if (state.State.PieceSize != 0 && state.State.PieceSize != pieceSize)
        {
            throw new ArgumentException($"piece {_key} is {state.State.PieceSize} padded bytes, not {pieceSize}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Piece {Piece} is in sector {Sector} at padded offset {Offset}")]
    private partial void LogPlaced(string piece, string sector, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed piece {Piece}: {Blocks} blocks")]
    private partial void LogIndexed(string piece, long blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Indexing piece {Piece} failed: {Error}")]
    private partial void LogIndexFailed(string piece, string error);
}
