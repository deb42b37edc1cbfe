using System.Formats.Cbor;
using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Actors;

/// <summary>
/// Miner pre-commit batches. <c>PreCommitSectorBatch</c> (method 25) takes [[PreCommitSectorParams...]], each
/// the 10-tuple [SealProof, SectorNumber, SealedCID, SealRandEpoch, DealIDs, Expiration, ReplaceCapacity,
/// ReplaceSectorDeadline, ReplaceSectorPartition, ReplaceSectorNumber] (the replace fields are deprecated and
/// must be false/0); <c>PreCommitSectorBatch2</c> (method 28) takes [[SectorPreCommitInfo...]], each the 7-tuple
/// [SealProof, SectorNumber, SealedCID, SealRandEpoch, DealIDs, Expiration, UnsealedCid or null]
/// (go-state-types builtin/v13/miner). Method 25 carries no CommD: the devnet computes it from the deals.
/// </summary>
public sealed record PreCommitSectorBatchParams(IReadOnlyList<SectorPreCommitInfo> Sectors)
{
    /// <summary>The method 25 CBOR bytes (UnsealedCid is not part of it).</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.Array(Sectors, (w, s) =>
        {
            w.WriteStartArray(10);
            WriteCommon(w, s);
            w.WriteBoolean(false);
            w.WriteUInt64(0);
            w.WriteUInt64(0);
            w.WriteUInt64(0);
            w.WriteEndArray();
        });
        w.WriteEndArray();
    });

    /// <summary>The method 28 (<c>PreCommitSectorBatch2</c>) CBOR bytes.</summary>
    public byte[] ToCbor2() => Cbor.Encode(w =>
    {
        w.WriteStartArray(1);
        w.Array(Sectors, (w, s) =>
        {
            w.WriteStartArray(7);
            WriteCommon(w, s);
            if (s.UnsealedCid is { } unsealed)
            {
                Filecoin.Cbor.DagCbor.WriteCid(w, unsealed);
            }
            else
            {
                w.WriteNull();
            }

            w.WriteEndArray();
        });
        w.WriteEndArray();
    });

    /// <summary>Reads method 25's CBOR bytes.</summary>
    public static PreCommitSectorBatchParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "PreCommitSectorBatchParams", r =>
    {
        r.Tuple(1, "PreCommitSectorBatchParams");
        var sectors = r.Array("Sectors", r =>
        {
            r.Tuple(10, "PreCommitSectorParams");
            var (proof, number, sealed_, randEpoch, deals, expiration) = ReadCommon(r);
            if (r.Bool() || r.UInt() != 0 || r.UInt() != 0 || r.UInt() != 0)
            {
                throw new FormatException("ReplaceCapacity is deprecated: it must be false with zero replace fields");
            }

            r.End();
            return new SectorPreCommitInfo(proof, number, sealed_, randEpoch, deals, expiration, null);
        });
        r.End();
        return new PreCommitSectorBatchParams(sectors);
    });

    /// <summary>Reads method 28's CBOR bytes.</summary>
    public static PreCommitSectorBatchParams FromCbor2(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "PreCommitSectorBatchParams2", r =>
    {
        r.Tuple(1, "PreCommitSectorBatchParams2");
        var sectors = r.Array("Sectors", r =>
        {
            r.Tuple(7, "SectorPreCommitInfo");
            var (proof, number, sealed_, randEpoch, deals, expiration) = ReadCommon(r);
            var unsealed = r.TryNull() ? null : r.Cid();
            r.End();
            return new SectorPreCommitInfo(proof, number, sealed_, randEpoch, deals, expiration, unsealed);
        });
        r.End();
        return new PreCommitSectorBatchParams(sectors);
    });

    private static void WriteCommon(CborWriter w, SectorPreCommitInfo s)
    {
        w.WriteInt64(s.SealProof);
        w.WriteUInt64(s.SectorNumber);
        Filecoin.Cbor.DagCbor.WriteCid(w, s.SealedCid);
        w.WriteInt64(s.SealRandEpoch);
        w.Array(s.DealIds, (w, d) => w.WriteUInt64(d));
        w.WriteInt64(s.Expiration);
    }

    private static (long, ulong, Filecoin.Cids.Cid, long, List<ulong>, long) ReadCommon(CborReader r) =>
        (r.Int(), r.UInt(), r.Cid(), r.Int(), r.Array("DealIDs", r => r.UInt()), r.Int());
}
