using System.Security.Cryptography;
using Granary.Proofs;
using Granary.Proofs.PoSt;
using Granary.Proofs.Seal;

namespace Granary.Grains.Proving;

/// <summary>
/// Whether a sector's files can be proven (lotus's <c>CheckProvable</c>): the sealed replica exists and has the
/// sector's size, the cache has tree R-last and a <c>p_aux</c> that hashes to the on-chain CommR, and a vanilla
/// WindowPoSt of the sector for random challenges reads its challenged nodes back and verifies.
/// </summary>
public static class ReplicaCheck
{
    /// <summary>Null if the sector is provable, else why not. Reads a few nodes of the replica and its tree; blocking.</summary>
    public static string? Problem(SealProofType type, ProvingSector sector, SectorPaths paths)
    {
        try
        {
            var replica = new FileInfo(paths.Sealed);
            if (!replica.Exists)
            {
                return $"sealed replica {paths.Sealed} is missing";
            }

            if (replica.Length != type.SectorSize)
            {
                return $"sealed replica {paths.Sealed} has {replica.Length} bytes, not the sector size {type.SectorSize}";
            }

            if (!Directory.Exists(paths.Cache))
            {
                return $"cache directory {paths.Cache} is missing";
            }

            foreach (var file in new[] { paths.PAux, paths.TreeRLast })
            {
                if (!File.Exists(file))
                {
                    return $"{Path.GetFileName(file)} is missing from {paths.Cache}";
                }
            }

            // Random challenges, as lotus's check draws: a stale or partly damaged replica fails somewhere, not
            // only at the nodes the next deadline happens to challenge.
            var randomness = RandomNumberGenerator.GetBytes(32);
            var proof = PoStProver.Prove(type, PoStKind.Window, randomness, [new PoStSector(sector.Number, sector.CommR, paths)]);
            if (proof.Skipped.Count > 0)
            {
                return proof.Skipped[0].Reason;
            }

            return PoStProver.Verify(type, PoStKind.Window, randomness, [new PoStPublicSector(sector.Number, sector.CommR)], proof.Proof, out var reason)
                ? null
                : $"its proof does not verify: {reason}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            return e.Message;
        }
    }
}
