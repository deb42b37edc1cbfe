using Granary.Filecoin.Cids;

namespace Granary.Chain.Devnet.Actors;

/// <summary>Miner <c>ProveCommitSector</c> (method 7): [SectorNumber, Proof].</summary>
public sealed record ProveCommitSectorParams(ulong SectorNumber, byte[] Proof)
{
    /// <summary>Largest proof accepted: what fits in a message's params.</summary>
    public const int MaxProofBytes = Filecoin.Chain.Message.MaxParamsBytes;

    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.WriteUInt64(SectorNumber);
        w.WriteByteString(Proof);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static ProveCommitSectorParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "ProveCommitSectorParams", r =>
    {
        r.Tuple(2, "ProveCommitSectorParams");
        var p = new ProveCommitSectorParams(r.UInt(), r.Bytes("Proof", MaxProofBytes));
        r.End();
        return p;
    });
}

/// <summary>
/// Miner <c>ProveCommitSectors3</c> (method 34): [SectorActivations, SectorProofs, AggregateProof,
/// AggregateProofType, RequireActivationSuccess, RequireNotificationSuccess]. The devnet takes one proof per
/// sector (no aggregation: AggregateProof must be empty and AggregateProofType null); a piece manifest is
/// [CID, Size, VerifiedAllocationKey (must be null), Notify (must be empty)].
/// </summary>
public sealed record ProveCommitSectors3Params(
    IReadOnlyList<SectorActivationManifest> SectorActivations, IReadOnlyList<byte[]> SectorProofs, bool RequireActivationSuccess)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(6);
        w.Array(SectorActivations, (w, a) =>
        {
            w.WriteStartArray(2);
            w.WriteUInt64(a.SectorNumber);
            w.Array(a.Pieces, (w, p) =>
            {
                w.WriteStartArray(4);
                Filecoin.Cbor.DagCbor.WriteCid(w, p.Cid);
                w.WriteUInt64((ulong)p.Size);
                w.WriteNull();
                w.WriteStartArray(0);
                w.WriteEndArray();
                w.WriteEndArray();
            });
            w.WriteEndArray();
        });
        w.Array(SectorProofs, (w, p) => w.WriteByteString(p));
        w.WriteByteString([]);
        w.WriteNull();
        w.WriteBoolean(RequireActivationSuccess);
        w.WriteBoolean(false);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static ProveCommitSectors3Params FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "ProveCommitSectors3Params", r =>
    {
        r.Tuple(6, "ProveCommitSectors3Params");
        var activations = r.Array("SectorActivations", r =>
        {
            r.Tuple(2, "SectorActivationManifest");
            var number = r.UInt();
            var pieces = r.Array("Pieces", r =>
            {
                r.Tuple(4, "PieceActivationManifest");
                var cid = r.Cid();
                var size = r.UInt();
                if (!r.TryNull())
                {
                    throw new FormatException("verified allocations are not supported by the devnet (VerifiedAllocationKey must be null)");
                }

                if (r.Array("Notify", r => r.Bytes("notification", 1024)).Count != 0)
                {
                    throw new FormatException("data activation notifications are not supported by the devnet (Notify must be empty)");
                }

                r.End();
                return new PieceActivationManifest(cid, checked((long)size));
            }, 1024);
            r.End();
            return new SectorActivationManifest(number, pieces);
        });
        var proofs = r.Array("SectorProofs", r => r.Bytes("proof", ProveCommitSectorParams.MaxProofBytes));
        if (r.Bytes("AggregateProof", ProveCommitSectorParams.MaxProofBytes).Length != 0 || !r.TryNull())
        {
            throw new FormatException("aggregate proofs are not supported by the devnet: send one proof per sector");
        }

        var requireActivation = r.Bool();
        r.Bool();
        r.End();
        return new ProveCommitSectors3Params(activations, proofs, requireActivation);
    });
}

/// <summary>One sector to activate and the pieces it holds.</summary>
public sealed record SectorActivationManifest(ulong SectorNumber, IReadOnlyList<PieceActivationManifest> Pieces);

/// <summary>A piece in an activated sector.</summary>
public sealed record PieceActivationManifest(Cid Cid, long Size);

/// <summary>A batch's outcome (<c>BatchReturn</c>): how many succeeded and the exit code of each that failed.</summary>
public sealed record BatchReturn(ulong SuccessCount, IReadOnlyList<(ulong Index, long Code)> FailCodes)
{
    /// <summary>The CBOR bytes: [SuccessCount, [[Idx, Code]...]].</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.WriteUInt64(SuccessCount);
        w.Array(FailCodes, (w, f) =>
        {
            w.WriteStartArray(2);
            w.WriteUInt64(f.Index);
            w.WriteInt64(f.Code);
            w.WriteEndArray();
        });
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static BatchReturn FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "BatchReturn", r =>
    {
        r.Tuple(2, "BatchReturn");
        var count = r.UInt();
        var fails = r.Array("FailCodes", r =>
        {
            r.Tuple(2, "FailCode");
            var f = (r.UInt(), r.Int());
            r.End();
            return f;
        });
        r.End();
        return new BatchReturn(count, fails);
    });
}
