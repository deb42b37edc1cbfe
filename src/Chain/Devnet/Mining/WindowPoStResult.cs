using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Mining;

/// <summary>What an accepted WindowPoSt did.</summary>
/// <param name="Proven">Sectors the proof covered.</param>
/// <param name="Recovered">Recovering sectors that are healthy again.</param>
/// <param name="Activated">Sectors proven for the first time (they gain power now).</param>
/// <param name="NewFaults">Skipped sectors, now faulty.</param>
public sealed record WindowPoStResult(BitField Proven, BitField Recovered, BitField Activated, BitField NewFaults);
