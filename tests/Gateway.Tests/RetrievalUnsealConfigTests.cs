using Granary.Grains.Pieces;
using Granary.Silo.Configuration;

namespace Granary.Gateway.Tests;

/// <summary><c>[Retrieval] UnsealTimeout</c>: how long a retrieval waits for an on-demand unseal.</summary>
public sealed class RetrievalUnsealConfigTests
{
    [Fact]
    public void UnsealTimeout_defaults_to_three_minutes_and_reads_go_durations()
    {
        Assert.Equal(ClusterUnsealedSectorLocator.DefaultUnsealTimeout, GranaryConfig.Default.Retrieval.UnsealTimeout);
        Assert.Equal(TimeSpan.FromMinutes(3), ConfigLoader.Parse(DefaultConfigText.Text).Retrieval.UnsealTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), ConfigLoader.Parse("[Retrieval]\nUnsealTimeout = \"1m30s\"\n").Retrieval.UnsealTimeout);
        Assert.Equal(TimeSpan.Zero, ConfigLoader.Parse("[Retrieval]\nUnsealTimeout = \"0s\"\n").Retrieval.UnsealTimeout);
    }

    [Theory]
    [InlineData("[Retrieval]\nUnsealTimeout = \"soon\"\n", "[Retrieval] UnsealTimeout: 'soon' is not a duration")]
    [InlineData("[Retrieval]\nUnsealTimeout = \"\"\n", "[Retrieval] UnsealTimeout: '' is not a duration")]
    [InlineData("[Retrieval]\nUnsealTimeout = \"2h\"\n", "[Retrieval] UnsealTimeout: '2h' must be from 0s to 1h")]
    [InlineData("[Retrieval]\nUnsealTimeout = \"5x\"\n", "unknown unit 'x'")]
    [InlineData("[Retrieval]\nUnsealTimeout = 180\n", "[Retrieval] UnsealTimeout: expected a string, found an integer (180)")]
    [InlineData("[Retrieval]\nUnsealTimeout = \"99999999999999999999h\"\n", "[Retrieval] UnsealTimeout")]
    public void A_bad_UnsealTimeout_is_refused_on_its_line(string text, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }
}
