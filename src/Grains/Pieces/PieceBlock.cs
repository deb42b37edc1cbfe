namespace Granary.Grains.Pieces;

/// <summary>
/// One block of a piece's payload: its multihash (binary form), the codec of the CID it was stored under, and where
/// its data (after the section's varint and CID) lies in the payload.
/// </summary>
/// <param name="Multihash">The multihash bytes (varint code ‖ varint length ‖ digest).</param>
/// <param name="Codec">The CID codec the CAR stored it under (dag-pb, raw, dag-cbor, …).</param>
/// <param name="Offset">Offset of the block's data in the payload.</param>
/// <param name="Length">Length of the block's data.</param>
public sealed record PieceBlock(byte[] Multihash, ulong Codec, long Offset, long Length);
