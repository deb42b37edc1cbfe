using Granary.Proofs.Seal;

namespace Granary.Proofs.PoSt;

/// <summary>A sector to prove: its number, on-chain CommR and where its sealed files are.</summary>
public sealed record PoStSector(ulong SectorNumber, byte[] CommR, SectorPaths Paths);

/// <summary>A sector as the verifier knows it from the chain.</summary>
public sealed record PoStPublicSector(ulong SectorNumber, byte[] CommR);

/// <summary>Which PoSt: WindowPoSt (10 challenges per sector) or WinningPoSt (66).</summary>
public enum PoStKind
{
    /// <summary>Daily proving of every sector in a partition.</summary>
    Window,

    /// <summary>Block election proof.</summary>
    Winning,
}

/// <summary>A PoSt: the proof bytes for the sectors that could be proven and the ones skipped as faulty.</summary>
public sealed record PoStResult(byte[] Proof, IReadOnlyList<ulong> Proven, IReadOnlyList<SkippedSector> Skipped);

/// <summary>A sector left out of a PoSt, with why (missing file, failed self-check...).</summary>
public sealed record SkippedSector(ulong SectorNumber, string Reason);
