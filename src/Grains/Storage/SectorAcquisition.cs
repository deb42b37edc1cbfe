using Granary.Proofs.Seal;

namespace Granary.Grains.Storage;

/// <summary>
/// A task's hold on one sector's files on this silo, from <see cref="LocalStorage.AcquireSectorAsync"/>: where
/// each requested file is (existing ones found or fetched, new ones allocated) and the space reserved for the
/// new ones. Dispose it when the task ends, successful or not, to release the reservation; after a successful
/// task, <see cref="DeclareAsync"/> tells the sector index about the files it wrote.
/// </summary>
public sealed class SectorAcquisition : IDisposable
{
    private readonly LocalStorage _storage;
    private readonly Dictionary<SectorFileType, (string PathId, string File)> _files = [];
    private readonly List<LocalStorage.Reservation> _reservations = [];
    private bool _disposed;

    internal SectorAcquisition(LocalStorage storage, SectorId sector)
    {
        _storage = storage;
        Sector = sector;
    }

    /// <summary>The sector.</summary>
    public SectorId Sector { get; }

    /// <summary>The file types allocated (to be written by the task).</summary>
    public SectorFileType Allocated { get; private set; }

    /// <summary>
    /// The files, in the sealing engine's form; a type that was not asked for is an empty string. The cache
    /// directory is created; unsealed and sealed files are the task's to write.
    /// </summary>
    public SectorPaths Paths => new(File(SectorFileType.Unsealed) ?? "", File(SectorFileType.Sealed) ?? "", File(SectorFileType.Cache) ?? "");

    /// <summary>The storage path ID holding each acquired type.</summary>
    public IReadOnlyDictionary<SectorFileType, string> PathIds => _files.ToDictionary(f => f.Key, f => f.Value.PathId);

    /// <summary>The file (or cache directory) of one type, or null if it was not acquired.</summary>
    public string? File(SectorFileType type) => _files.TryGetValue(type, out var f) ? f.File : null;

    /// <summary>
    /// Declares the allocated files to the sector index (primary where the path is long-term storage). Call it
    /// once the task has written them.
    /// </summary>
    public Task DeclareAsync(CancellationToken cancellationToken = default) =>
        _storage.DeclareAsync(Sector, _files.Where(f => Allocated.HasFlag(f.Key)).Select(f => (f.Key, f.Value.PathId)), cancellationToken);

    /// <summary>Releases the reserved space. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _storage.Release(_reservations);
    }

    internal void Add(SectorFileType type, string pathId, string file, bool allocated, LocalStorage.Reservation? reservation)
    {
        _files[type] = (pathId, file);
        if (allocated)
        {
            Allocated |= type;
        }

        if (reservation is not null)
        {
            _reservations.Add(reservation);
        }
    }
}
