using Granary.Filecoin.Pieces;
using Granary.Proofs.Seal;
using Granary.Tests.Interop;

namespace Granary.Proofs.Tests;

/// <summary>A sector filled by one piece: its CommD (from PreCommit1) is that piece's CommP as data-segment computes it.</summary>
public sealed class FullSectorCommDTests
{
    [Theory]
    [InlineData("2KiB")]
    [InlineData("8MiB")]
    public async Task CommD_of_a_full_sector_piece_matches_data_segment(string size)
    {
        var type = SealProofType.FromSizeName(size);
        var root = Directory.CreateTempSubdirectory("granary-commd-").FullName;
        try
        {
            var payload = new byte[PaddedPieceSize.Unpadded(type.SectorSize)];
            new Random(21).NextBytes(payload);
            var payloadFile = Path.Combine(root, "payload.bin");
            await File.WriteAllBytesAsync(payloadFile, payload);
            var paths = SectorPaths.Under(root, 1000, 1);
            await PieceWriter.AddPieceAsync(type, paths.Unsealed, [], new MemoryStream(payload), type.SectorSize);

            var pc1 = new Sealer(type).PreCommit1(paths, new byte[32], 1, new byte[32]);

            var js = System.Text.Json.JsonDocument.Parse(NodeScript.Run("filecoin", "commp.mjs", [payloadFile])).RootElement;
            Assert.Equal(js.GetProperty("pieceCidV2").GetString(), PieceCid.V2(pc1.CommD, payload.Length).ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
