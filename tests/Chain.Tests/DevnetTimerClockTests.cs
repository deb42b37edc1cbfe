using Granary.Chain.Devnet;
using Granary.Chain.Model;

namespace Granary.Chain.Tests;

public sealed class DevnetTimerClockTests
{
    [Fact]
    public async Task The_timer_clock_mines_a_block_every_block_delay_until_the_node_closes()
    {
        var root = Directory.CreateTempSubdirectory("granary-devnet-timer-").FullName;
        try
        {
            var policy = ChainPolicy.Devnet with { BlockDelaySeconds = 1 };
            await using var node = DevnetNode.Open(new DevnetOptions { DatabasePath = Path.Combine(root, "devnet.sqlite"), Policy = policy });
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var heights = new List<(HeadChangeType, long)>();
            await foreach (var batch in node.ChainNotify(timeout.Token))
            {
                heights.AddRange(batch.Select(c => (c.Type, c.Value.Height)));
                if (heights.Count == 3)
                {
                    break;
                }
            }

            Assert.Equal([(HeadChangeType.Current, 0L), (HeadChangeType.Apply, 1L), (HeadChangeType.Apply, 2L)], heights);
            var two = await node.ChainGetTipSetByHeight(2, null);
            var one = await node.ChainGetTipSetByHeight(1, null);
            Assert.InRange((long)(two.Timestamp - one.Timestamp), 1, 3);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
