using Granary.Grains.Deals;
using Granary.Silo.Configuration;

namespace Granary.Silo.Tests;

/// <summary><c>[Dealmaking] MaxSealingSectorsForDeals</c>: read, defaulted, handed to the deal grains, and refused when out of range.</summary>
public sealed class DealmakingSealingConfigTests
{
    [Fact]
    public void MaxSealingSectorsForDeals_is_read_defaults_to_no_limit_and_reaches_the_deal_options()
    {
        var dealmaking = ConfigLoader.Parse("[Dealmaking]\nMaxSealingSectorsForDeals = 6\n").Dealmaking;
        Assert.Equal(6, dealmaking.MaxSealingSectorsForDeals);
        Assert.Equal(0, GranaryConfig.Default.Dealmaking.MaxSealingSectorsForDeals);
        Assert.Equal(0, ConfigLoader.Parse(DefaultConfigText.Text).Dealmaking.MaxSealingSectorsForDeals);
        Assert.Contains("MaxSealingSectorsForDeals = 0", DefaultConfigText.Text, StringComparison.Ordinal);
        Assert.Equal(100_000, ConfigLoader.Parse("[Dealmaking]\nMaxSealingSectorsForDeals = 100000\n").Dealmaking.MaxSealingSectorsForDeals);

        var options = new DealmakingOptions();
        dealmaking.Configure(options, "t01000", TimeSpan.FromSeconds(4));
        Assert.Equal(6, options.MaxSealingSectorsForDeals);
        Assert.Equal(0, new DealmakingOptions().MaxSealingSectorsForDeals);
    }

    [Theory]
    [InlineData("[Dealmaking]\nMaxSealingSectorsForDeals = -1\n", 2, "[Dealmaking] MaxSealingSectorsForDeals: must be from 0 to 100000")]
    [InlineData("[Dealmaking]\nMaxSealingSectorsForDeals = 100001\n", 2, "[Dealmaking] MaxSealingSectorsForDeals: must be from 0 to 100000")]
    [InlineData("[Dealmaking]\nMaxSealingSectorsForDeals = 99999999999999999\n", 2, "[Dealmaking] MaxSealingSectorsForDeals: must be from 0 to 100000")]
    [InlineData("[Dealmaking]\nMaxSealingSectorsForDeals = \"4\"\n", 2, "[Dealmaking] MaxSealingSectorsForDeals: expected an integer, found a string")]
    [InlineData("[Dealmaking]\nMaxSealingSectorsForDeals = 1.5\n", 2, "[Dealmaking] MaxSealingSectorsForDeals: expected an integer")]
    [InlineData("[Dealmaking]\nMaxSealingSectorsForDeals =\n", 2, "")]
    [InlineData("[Dealmaking]\nMaxSealingSectorForDeals = 4\n", 2, "[Dealmaking] MaxSealingSectorForDeals is not a known setting")]
    public void Bad_values_are_refused_with_line_and_message(string text, int line, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(line, problem.Line);
        Assert.Contains(message, problem.Message);
    }
}
