using Granary.Grains.Placement;
using Microsoft.Extensions.Options;

namespace Granary.Grains.Storage;

/// <inheritdoc cref="ISectorIndexGrain" />
[RequiresSubsystem(Subsystem.SectorStorage)]
public sealed class SectorIndexGrain(
    [PersistentState("sector-index", GrainStorage.Name)] IPersistentState<SectorIndexState> state,
    IOptions<SectorIndexOptions> options)
    : Grain, ISectorIndexGrain
{
    private SectorIndex _index = null!;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _index = new SectorIndex(state.State, options.Value.HeartbeatTimeout);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task AttachPath(StoragePathInfo path, FsStat stat, IReadOnlyList<SectorDeclaration> sectors)
    {
        _index.Attach(path, stat, sectors);
        await state.WriteStateAsync();
    }

    /// <inheritdoc />
    public async Task DetachPath(string pathId)
    {
        if (_index.Detach(pathId))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> Heartbeat(SiloStorageReport report) => Task.FromResult(_index.Heartbeat(report));

    /// <inheritdoc />
    public async Task DeclareSector(string pathId, SectorId sector, SectorFileType fileType, bool primary)
    {
        if (_index.Declare(pathId, sector, fileType, primary))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task DropSector(string pathId, SectorId sector, SectorFileType fileType)
    {
        if (_index.Drop(pathId, sector, fileType))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SectorLocation>> FindSector(SectorId sector, SectorFileType fileType) =>
        Task.FromResult(_index.Find(sector, fileType));

    /// <inheritdoc />
    public Task<IReadOnlyList<StoragePathStatus>> BestAllocation(SectorFileType fileType, PathType pathType, long size,
        ulong? miner = null, IReadOnlyList<string>? allowedGroups = null) =>
        Task.FromResult(_index.BestAllocation(fileType, pathType, size, miner, allowedGroups));

    /// <inheritdoc />
    public Task<IReadOnlyList<StoragePathStatus>> ListPaths() => Task.FromResult(_index.List());

    /// <inheritdoc />
    public Task<StoragePathStatus> PathStatus(string pathId) => Task.FromResult(_index.Status(pathId));

    /// <inheritdoc />
    public Task<IReadOnlyList<SectorDeclaration>> ListSectors(string pathId) => Task.FromResult(_index.Sectors(pathId));

    /// <inheritdoc />
    public Task<IStorageAgent?> Agent(string silo) => Task.FromResult(_index.Agent(silo));
}
