using Granary.Silo.Configuration;

namespace Granary.Silo.Tests;

/// <summary><c>[Proving]</c> in config.toml: lotus-miner's keys, their defaults and their refusals.</summary>
public sealed class ProvingConfigTests
{
    [Fact]
    public void Proving_settings_are_read_and_become_the_proving_options()
    {
        var proving = ConfigLoader.Parse("""
            [Proving]
            ParallelCheckLimit = 8
            SingleCheckTimeout = "1m30s"
            PartitionCheckTimeout = "20m"
            MaxPartitionsPerPoStMessage = 1
            """).Proving;

        Assert.Equal(new ProvingConfig(8, TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(20), 1), proving);
        var options = proving.ToOptions();
        Assert.Equal((8, TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(20), 1), (options.ParallelCheckLimit, options.SingleCheckTimeout,
            options.PartitionCheckTimeout, options.PartitionsPerMessage));
    }

    [Fact]
    public void The_default_text_parses_to_the_default_and_an_empty_file_takes_it()
    {
        Assert.Equal(GranaryConfig.Default.Proving, ConfigLoader.Parse(DefaultConfigText.Text).Proving);
        Assert.Equal(GranaryConfig.Default.Proving, ConfigLoader.Parse("").Proving);
        Assert.Equal(new ProvingConfig(32, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), 0), GranaryConfig.Default.Proving);
        Assert.Equal(3, GranaryConfig.Default.Proving.ToOptions().PartitionsPerMessage);
    }

    [Theory]
    [InlineData("[Proving]\nParallelCheckLimit = 0\n", 2, "[Proving] ParallelCheckLimit: must be from 1 to 4096")]
    [InlineData("[Proving]\nParallelCheckLimit = \"4\"\n", 2, "expected an integer, found a string")]
    [InlineData("[Proving]\nSingleCheckTimeout = \"ten\"\n", 2, "is not a duration")]
    [InlineData("[Proving]\nSingleCheckTimeout = \"10\"\n", 2, "unknown unit ''")]
    [InlineData("[Proving]\nSingleCheckTimeout = \"50ms\"\n", 2, "[Proving] SingleCheckTimeout: '50ms' must be from 100ms to 1h")]
    [InlineData("[Proving]\nPartitionCheckTimeout = \"2h\"\n", 2, "must be from 100ms to 1h")]
    [InlineData("[Proving]\nPartitionCheckTimeout = \"5s\"\n", 2, "PartitionCheckTimeout (5s) must be at least SingleCheckTimeout (10s)")]
    [InlineData("[Proving]\nMaxPartitionsPerPoStMessage = 4\n", 2, "[Proving] MaxPartitionsPerPoStMessage: must be from 0 to 3")]
    [InlineData("[Proving]\nDisableBuiltinWindowPoSt = true\n", 2, "[Proving] DisableBuiltinWindowPoSt is not a known setting")]
    public void Bad_proving_settings_are_refused_with_line_and_message(string text, int line, string message)
    {
        var error = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(text, "my.toml"));

        var problem = error.Problems.First(p => p.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal(line, problem.Line);
    }
}
