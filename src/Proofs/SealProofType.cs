namespace Granary.Proofs;

/// <summary>
/// A registered seal proof type (Filecoin's <c>RegisteredSealProof</c> V1_1 ids) and the parameters the
/// engine uses for it: SDR layers, PoRep challenges, WindowPoSt partition size and PoSt challenges.
/// </summary>
public sealed record SealProofType(
    int Id, string Name, long SectorSize, int Layers, int PoRepChallenges, int WindowPoStPartitionSectors, int WindowPoStProofId, int WinningPoStProofId)
{
    /// <summary>Challenged leaves per sector in a WindowPoSt.</summary>
    public const int WindowPoStChallenges = 10;

    /// <summary>Challenged leaves per sector in a WinningPoSt.</summary>
    public const int WinningPoStChallenges = 66;

    /// <summary>32-byte nodes in a sector.</summary>
    public long Nodes => SectorSize / NodeSize;

    /// <summary>Bytes per node.</summary>
    public const int NodeSize = 32;

    /// <summary>StackedDrg2KiBV1_1.</summary>
    public static SealProofType Sector2KiB { get; } = new(5, "2KiB", 2048, 2, 10, 2, 5, 0);

    /// <summary>StackedDrg8MiBV1_1.</summary>
    public static SealProofType Sector8MiB { get; } = new(6, "8MiB", 8L << 20, 2, 10, 2, 6, 1);

    /// <summary>StackedDrg512MiBV1_1.</summary>
    public static SealProofType Sector512MiB { get; } = new(7, "512MiB", 512L << 20, 2, 10, 2, 7, 2);

    /// <summary>StackedDrg32GiBV1_1.</summary>
    public static SealProofType Sector32GiB { get; } = new(8, "32GiB", 32L << 30, 11, 176, 2349, 8, 3);

    /// <summary>StackedDrg64GiBV1_1.</summary>
    public static SealProofType Sector64GiB { get; } = new(9, "64GiB", 64L << 30, 11, 176, 2300, 9, 4);

    /// <summary>Every supported type.</summary>
    public static IReadOnlyList<SealProofType> All { get; } = [Sector2KiB, Sector8MiB, Sector512MiB, Sector32GiB, Sector64GiB];

    /// <summary>The PoRep id (32 bytes): the proof id as little-endian u64, then zeros, as rust-fil-proofs builds it.</summary>
    public byte[] PoRepId
    {
        get
        {
            var id = new byte[32];
            BitConverter.TryWriteBytes(id.AsSpan(0, 8), (ulong)Id);
            return id;
        }
    }

    /// <summary>Finds a type by its id.</summary>
    /// <exception cref="ArgumentException">Unknown id.</exception>
    public static SealProofType FromId(int id) =>
        All.FirstOrDefault(t => t.Id == id) ?? throw new ArgumentException($"unsupported seal proof type {id}");

    /// <summary>Parses a size such as <c>2KiB</c>, <c>8MiB</c>, <c>32GiB</c>.</summary>
    /// <exception cref="ArgumentException">Not a supported sector size.</exception>
    public static SealProofType FromSizeName(string size) =>
        All.FirstOrDefault(t => string.Equals(t.Name, size, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unsupported sector size '{size}' (supported: {string.Join(", ", All.Select(t => t.Name))})");
}
