using Granary.Chain.Model;

namespace Granary.Chain.Devnet.Actors;

/// <summary>
/// Miner <c>SubmitWindowedPoSt</c> (method 5): [Deadline, Partitions [[Index, Skipped]...], Proofs
/// [[PoStProof, ProofBytes]...], ChainCommitEpoch, ChainCommitRand].
/// </summary>
public sealed record SubmitWindowedPoStParams(
    ulong Deadline, IReadOnlyList<PoStPartition> Partitions, IReadOnlyList<PoStProof> Proofs, long ChainCommitEpoch, byte[] ChainCommitRand)
{
    /// <summary>The CBOR bytes.</summary>
    public byte[] ToCbor() => Cbor.Encode(w =>
    {
        w.WriteStartArray(5);
        w.WriteUInt64(Deadline);
        w.Array(Partitions, (w, p) =>
        {
            w.WriteStartArray(2);
            w.WriteUInt64(p.Index);
            w.BitField(p.Skipped);
            w.WriteEndArray();
        });
        w.Array(Proofs, (w, p) =>
        {
            w.WriteStartArray(2);
            w.WriteInt64(p.PoStProofType);
            w.WriteByteString(p.ProofBytes);
            w.WriteEndArray();
        });
        w.WriteInt64(ChainCommitEpoch);
        w.WriteByteString(ChainCommitRand);
        w.WriteEndArray();
    });

    /// <summary>Reads the CBOR bytes.</summary>
    public static SubmitWindowedPoStParams FromCbor(ReadOnlyMemory<byte> bytes) => Cbor.Decode(bytes, "SubmitWindowedPoStParams", r =>
    {
        r.Tuple(5, "SubmitWindowedPoStParams");
        var deadline = r.UInt();
        var partitions = r.Array("Partitions", r =>
        {
            r.Tuple(2, "PoStPartition");
            var p = new PoStPartition(r.UInt(), r.BitField("Skipped"));
            r.End();
            return p;
        }, 64);
        var proofs = r.Array("Proofs", r =>
        {
            r.Tuple(2, "PoStProof");
            var p = new PoStProof(r.Int(), r.Bytes("ProofBytes", ProveCommitSectorParams.MaxProofBytes));
            r.End();
            return p;
        }, 8);
        var p = new SubmitWindowedPoStParams(deadline, partitions, proofs, r.Int(), r.Bytes("ChainCommitRand", 32));
        r.End();
        return p;
    });
}

/// <summary>A partition proven by a WindowPoSt and the sectors it skipped (newly faulty).</summary>
public sealed record PoStPartition(ulong Index, BitField Skipped);

/// <summary>A PoSt proof and its registered proof type.</summary>
public sealed record PoStProof(long PoStProofType, byte[] ProofBytes);
