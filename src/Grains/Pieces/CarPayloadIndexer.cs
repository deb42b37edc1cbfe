using Granary.Filecoin.Car;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Encoding;

namespace Granary.Grains.Pieces;

/// <summary>
/// Reads a piece's payload as a CAR (v1, or v2 with its v1 data inside) and reports each block's data range in
/// the payload, in batches. Offsets are of the block data (after the section's varint and CID), relative to the
/// start of the payload (for a CARv2, its data offset is added), so a block is served by reading
/// <c>[Offset, Offset + Length)</c> of the payload. Block hashes are not checked here: retrieval clients verify every
/// block they receive (the trustless contract), and the piece's CommP already binds the bytes.
/// </summary>
public static class CarPayloadIndexer
{
    /// <summary>What the payload held.</summary>
    public sealed record Result(IReadOnlyList<Cid> Roots, int Version, long Blocks);

    /// <summary>
    /// Indexes the first <paramref name="payloadSize"/> bytes of <paramref name="payload"/>, calling <paramref name="flush"/>
    /// with every <paramref name="batchSize"/> blocks (and the rest at the end).
    /// </summary>
    /// <exception cref="Filecoin.FilecoinFormatException">The payload is not a well-formed CAR.</exception>
    public static async Task<Result> IndexAsync(Stream payload, long payloadSize, Func<IReadOnlyList<PieceBlock>, Task> flush,
        int batchSize = PieceBlockStore.BatchRows, CarLimits? limits = null, CancellationToken cancellationToken = default)
    {
        var bounded = new LengthLimitedStream(payload, payloadSize);
        var car = await CarReader.OpenAsync(bounded, limits, cancellationToken);
        var baseOffset = car.V2Header?.DataOffset ?? 0;
        var batch = new List<PieceBlock>(batchSize);
        long count = 0;
        CarBlock? previous = null;
        await foreach (var block in car.ReadBlocksAsync(cancellationToken))
        {
            if (previous is not null)
            {
                // The previous block's data ends exactly where this section starts, whatever its varint and CID encoding.
                batch.Add(Entry(previous, baseOffset, block.SectionOffset - previous.Data.Length));
                count++;
                if (batch.Count >= batchSize)
                {
                    await flush(batch);
                    batch = new List<PieceBlock>(batchSize);
                }
            }

            previous = block;
        }

        if (previous is not null)
        {
            // The last section: minimal varint and canonical CID bytes (what every CAR writer produces).
            var cidLength = previous.Cid.ToBytes().Length;
            var sectionLength = (ulong)(cidLength + previous.Data.Length);
            batch.Add(Entry(previous, baseOffset, previous.SectionOffset + Varint.Size(sectionLength) + cidLength));
            count++;
        }

        if (batch.Count > 0)
        {
            await flush(batch);
        }

        return new Result(car.Roots, car.Version, count);
    }

    private static PieceBlock Entry(CarBlock block, long baseOffset, long dataOffset) =>
        new(block.Cid.Hash.ToBytes(), block.Cid.Codec, baseOffset + dataOffset, block.Data.Length);
}
