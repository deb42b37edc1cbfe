using System.Text.Json;
using Granary.Filecoin.Pieces;
using Granary.Tests.Interop;

namespace Granary.Filecoin.Tests;

/// <summary>CommP against @web3-storage/data-segment (JavaScript) on random payloads of many sizes.</summary>
public sealed class DataSegmentCrossCheckTests
{
    [Fact]
    public async Task Random_payloads_match_data_segment_including_127_times_power_of_two_edges()
    {
        var sizes = new List<long> { 0, 1, 64, 65, 126, 127, 128, 253, 254, 255, 1000, 1016, 1017, 4064, 100_000 };
        for (var k = 0; k <= 16; k += 2)
        {
            var edge = 127L << k;
            sizes.AddRange([edge - 1, edge, edge + 1]);
        }

        var dir = Directory.CreateTempSubdirectory("granary-commp-").FullName;
        try
        {
            var random = new Random(11);
            var files = new Dictionary<string, CommP.Result>();
            foreach (var size in sizes.Distinct())
            {
                var payload = new byte[size];
                random.NextBytes(payload);
                var path = Path.Combine(dir, $"{size}.bin");
                await File.WriteAllBytesAsync(path, payload);
                await using var stream = File.OpenRead(path);
                files[path] = await CommP.ComputeAsync(stream);
            }

            var lines = NodeScript.Run("filecoin", "commp.mjs", files.Keys).Split('\n', StringSplitOptions.RemoveEmptyEntries);

            Assert.Equal(files.Count, lines.Length);
            foreach (var line in lines)
            {
                var js = JsonDocument.Parse(line).RootElement;
                var ours = files[js.GetProperty("file").GetString()!];
                Assert.Equal(js.GetProperty("pieceCidV2").GetString(), ours.CidV2.ToString());
                Assert.Equal(js.GetProperty("paddedSize").GetInt64(), ours.PaddedSize);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
