using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Devnet.Storage;

/// <summary>
/// The devnet's block header: the CBOR tuple [Miner, Ticket, Height, Timestamp, Parents [CIDs], ParentStateRoot,
/// Messages], named (its tipset key) by the blake2b-256 DAG-CBOR CID of those bytes. The message list is the
/// CBOR [[], [signed message CIDs...]] — Filecoin's TxMeta shape (BLS, secp256k1), with plain arrays instead of
/// AMT roots. A state root is CID(CBOR [previous root or null, BLAKE2b-256 of the rows the block changed]), a
/// hash chain over every change since genesis.
/// </summary>
internal static class BlockCodec
{
    public static byte[] Encode(BlockHeader header, TipSetKey parents) => Cbor.Encode(w =>
    {
        w.WriteStartArray(7);
        w.Address(header.Miner);
        w.WriteByteString(header.Ticket);
        w.WriteInt64(header.Height);
        w.WriteUInt64(header.Timestamp);
        w.Array(parents.Cids, (w, c) => w.WriteCid(c));
        w.WriteCid(header.ParentStateRoot);
        w.WriteCid(header.Messages);
        w.WriteEndArray();
    });

    public static TipSet Decode(byte[] bytes)
    {
        try
        {
            return Cbor.Decode(bytes, "block header", r =>
            {
                r.Tuple(7, "block header");
                var miner = r.Address("Miner");
                var ticket = r.Bytes("Ticket", 64);
                var height = r.Int();
                var timestamp = r.UInt();
                var parents = r.Array("Parents", r => r.Cid(), 16);
                var header = new BlockHeader(miner, ticket, height, timestamp, r.Cid(), r.Cid());
                r.End();
                return new TipSet(new TipSetKey([DagCbor.CidOf(bytes)]), height, new TipSetKey(parents), [header]);
            });
        }
        catch (ActorException e)
        {
            throw new ChainException($"the devnet database has a bad block header: {e.Message}", e);
        }
    }

    public static Cid MessagesCid(IEnumerable<Cid> messages) => DagCbor.CidOf(Cbor.Encode(w =>
    {
        w.WriteStartArray(2);
        w.WriteStartArray(0);
        w.WriteEndArray();
        w.Array(messages.ToList(), (w, c) => w.WriteCid(c));
        w.WriteEndArray();
    }));

    public static Cid StateRoot(Cid? previous, IEnumerable<ActorRow> actors, IEnumerable<ulong> removedActors, IEnumerable<DealRow> deals, IEnumerable<ulong> removedDeals)
    {
        using var changes = new MemoryStream();
        using (var w = new BinaryWriter(changes, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            foreach (var a in actors)
            {
                w.Write((byte)'a');
                w.Write(a.Id);
                w.Write(a.Robust?.Length ?? 0);
                w.Write(a.Robust ?? []);
                w.Write((int)a.Code);
                w.Write(a.Balance.Length);
                w.Write(a.Balance);
                w.Write(a.Nonce);
                w.Write(a.State ?? "");
            }

            foreach (var id in removedActors)
            {
                w.Write((byte)'A');
                w.Write(id);
            }

            foreach (var d in deals)
            {
                w.Write((byte)'d');
                w.Write(d.Id);
                w.Write(d.Proposal.Length);
                w.Write(d.Proposal);
                w.Write(d.State.SectorNumber);
                w.Write(d.State.SectorStartEpoch);
                w.Write(d.State.LastUpdatedEpoch);
                w.Write(d.State.SlashEpoch);
            }

            foreach (var id in removedDeals)
            {
                w.Write((byte)'D');
                w.Write(id);
            }
        }

        var digest = Blake2b.Hash256(changes.ToArray());
        return DagCbor.CidOf(Cbor.Encode(w =>
        {
            w.WriteStartArray(2);
            if (previous is null)
            {
                w.WriteNull();
            }
            else
            {
                w.WriteCid(previous);
            }

            w.WriteByteString(digest);
            w.WriteEndArray();
        }));
    }
}
