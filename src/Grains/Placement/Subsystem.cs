namespace Granary.Grains.Placement;

/// <summary>
/// lotus-miner's four subsystems (<c>EnableMining</c>, <c>EnableSealing</c>, <c>EnableSectorStorage</c>,
/// <c>EnableMarkets</c>). In Granary each is a silo role: a grain declares the subsystem it needs and
/// only silos that enable it may host the grain.
/// </summary>
public enum Subsystem
{
    /// <summary>WindowPoSt, WinningPoSt and the miner actor.</summary>
    Mining,

    /// <summary>The sealing pipeline and its workers.</summary>
    Sealing,

    /// <summary>Sector storage paths and the sector index.</summary>
    SectorStorage,

    /// <summary>Deals, retrieval and the public libp2p host.</summary>
    Markets,
}
