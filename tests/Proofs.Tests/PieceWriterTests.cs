using Granary.Filecoin.Pieces;
using Granary.Proofs.Seal;
using Granary.Proofs.Trees;

namespace Granary.Proofs.Tests;

public sealed class PieceWriterTests
{
    [Theory]
    [InlineData("2KiB", new long[] { 2048 }, new long[] { 2032 })]
    [InlineData("2KiB", new long[] { 128, 512, 256 }, new long[] { 100, 508, 200 })]
    [InlineData("8MiB", new long[] { 1 << 20, 256, 2 << 20, 512 << 10 }, new long[] { 1_000_000, 254, 2_000_000, 500_000 })]
    public async Task Pieces_seal_with_commd_from_data_equal_to_commd_from_piece_infos_and_read_back(string size, long[] pieceSizes, long[] payloadSizes)
    {
        var type = SealProofType.FromSizeName(size);
        var root = Directory.CreateTempSubdirectory("granary-pieces-").FullName;
        try
        {
            var paths = SectorPaths.Under(root, 1000, 7);
            var random = new Random(size.Length + pieceSizes.Length);
            var added = new List<(AddedPiece Piece, byte[] Payload)>();
            for (var i = 0; i < pieceSizes.Length; i++)
            {
                var payload = new byte[payloadSizes[i]];
                random.NextBytes(payload);
                var piece = await PieceWriter.AddPieceAsync(type, paths.Unsealed, [.. added.Select(a => a.Piece.Piece)], new MemoryStream(payload), pieceSizes[i]);
                Assert.Equal(CommP.ZeroPad(CommP.Compute(payload).Commitment, CommP.Compute(payload).PaddedSize, pieceSizes[i]), piece.Piece.Commitment);
                added.Add((piece, payload));
            }

            var fromPieces = SectorCommD.Compute(type.SectorSize, added.Select(a => a.Piece.Piece));
            var fromData = MerkleTree.Root(MerkleTree.Build(File.ReadAllBytes(paths.Unsealed)));
            Assert.Equal(fromPieces, fromData);

            var sealer = new Sealer(type);
            var pc1 = sealer.PreCommit1(paths, new byte[32], 7, new byte[32]);
            Assert.Equal(fromPieces, pc1.CommD);
            sealer.PreCommit2(paths, pc1);
            sealer.FinalizeSector(paths, keepUnsealed: false);
            var unsealed = Path.Combine(root, "unsealed-again");
            sealer.Unseal(paths, new byte[32], 7, new byte[32], pc1.CommD, unsealed);

            foreach (var (piece, payload) in added)
            {
                Assert.Equal(payload, PieceWriter.ReadPiece(unsealed, piece.Offset, piece.Piece.PaddedSize, piece.PayloadSize));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_payload_larger_than_its_piece_or_a_piece_that_does_not_fit_is_refused()
    {
        var root = Directory.CreateTempSubdirectory("granary-pieces-").FullName;
        try
        {
            var path = Path.Combine(root, "unsealed");
            await Assert.ThrowsAsync<InvalidDataException>(() =>
                PieceWriter.AddPieceAsync(SealProofType.Sector2KiB, path, [], new MemoryStream(new byte[200]), 128));
            var full = new PieceInfo(2048, new byte[32]);
            Assert.Throws<InvalidOperationException>(() => PieceWriter.NextOffset(SealProofType.Sector2KiB, [full], 128));
            Assert.Throws<ArgumentException>(() => { PieceWriter.AddPieceAsync(SealProofType.Sector2KiB, path, [], Stream.Null, 4096).GetAwaiter().GetResult(); });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
