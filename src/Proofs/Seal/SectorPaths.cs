namespace Granary.Proofs.Seal;

/// <summary>
/// Where one sector's files live: the unsealed (Fr32-padded) data, the sealed replica, and the cache
/// directory holding layer and tree files. Scratch and long-term locations are the caller's choice.
/// </summary>
public sealed record SectorPaths(string Unsealed, string Sealed, string Cache)
{
    /// <summary>Layer <paramref name="layer"/> (1-based) of the SDR labels.</summary>
    public string Layer(int layer) => Path.Combine(Cache, $"sc-02-data-layer-{layer}.dat");

    /// <summary>Tree D over the unsealed data (root = CommD).</summary>
    public string TreeD => Path.Combine(Cache, "sc-02-data-tree-d.dat");

    /// <summary>Tree C over the label columns (root = CommC).</summary>
    public string TreeC => Path.Combine(Cache, "sc-02-data-tree-c.dat");

    /// <summary>Tree R-last over the replica (root = CommR-last).</summary>
    public string TreeRLast => Path.Combine(Cache, "sc-02-data-tree-r-last.dat");

    /// <summary>CommC ‖ CommR-last, which PoSt proofs carry.</summary>
    public string PAux => Path.Combine(Cache, "p_aux");

    /// <summary>Lays out a sector under <paramref name="root"/> the way lotus names sector files.</summary>
    public static SectorPaths Under(string root, ulong minerId, ulong sectorNumber)
    {
        var name = $"s-t0{minerId}-{sectorNumber}";
        return new SectorPaths(Path.Combine(root, "unsealed", name), Path.Combine(root, "sealed", name), Path.Combine(root, "cache", name));
    }
}
