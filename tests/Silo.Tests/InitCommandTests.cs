using System.Text;
using System.Text.Json;
using Granary.Filecoin.Crypto;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// <c>granary init</c>: the keys it writes (Lotus's export format, 0600), and what it refuses: an unknown sector size,
/// a repo that already has a miner, a remote chain without <c>--from</c>, a bad <c>--from</c>, an unreachable node;
/// and a repo whose devnet was made with another block delay refuses to run.
/// </summary>
public sealed class InitCommandTests
{
    [Fact]
    public async Task Keys_are_lotus_export_files_and_a_changed_block_delay_is_refused_at_run()
    {
        using var dir = new TempDirectory();
        var config = TestConfig.OnFreePorts(chain: "DevnetBlockDelaySeconds = 1");
        config.WriteTo(dir.Path);
        await RepoCli.RunAsync(dir.Path, "init");

        var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "miner.json"))).RootElement;
        Assert.Equal("2KiB", file.GetProperty("SectorSize").GetString());
        Assert.Equal(10, file.GetProperty("WindowPoStProofType").GetInt64());
        foreach (var (name, role) in new[] { ("wallet-owner", "Owner"), ("wallet-worker", "Worker") })
        {
            var path = Path.Combine(dir.Path, "keystore", name);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var keyInfo = JsonDocument.Parse(Convert.FromHexString(File.ReadAllText(path))).RootElement;
            Assert.Equal("secp256k1", keyInfo.GetProperty("Type").GetString());
            var address = Secp256k1.AddressOf(keyInfo.GetProperty("PrivateKey").GetBytesFromBase64());
            Assert.Equal(file.GetProperty(role).GetString(), address.ToString('t'));
        }

        var (again, againOutput) = await GranaryProcess.RunAsync(["init", "--repo", dir.Path]);
        Assert.Equal(1, again);
        Assert.Contains($"already has miner {file.GetProperty("Miner").GetString()}", againOutput);

        (config with { Chain = "DevnetBlockDelaySeconds = 2" }).WriteTo(dir.Path);
        var (run, runOutput) = await GranaryProcess.RunAsync(["run", "--repo", dir.Path]);
        Assert.Equal(1, run);
        Assert.Contains("[Chain] DevnetBlockDelaySeconds", runOutput);
        Assert.DoesNotContain("   at ", runOutput);
    }

    [Fact]
    public async Task Bad_options_and_an_unreachable_chain_are_refused_in_one_line_without_a_miner()
    {
        using var dir = new TempDirectory();
        var (size, sizeOutput) = await GranaryProcess.RunAsync(["init", "--sector-size", "32GiB", "--repo", dir.Path]);
        Assert.NotEqual(0, size);
        Assert.Contains("2KiB", sizeOutput);

        var port = FreePorts.Take(1)[0];
        TestConfig.OnFreePorts(chain: $"ApiInfo = \"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2ln:/ip4/127.0.0.1/tcp/{port}/http\"").WriteTo(dir.Path);
        var (from, fromOutput) = await GranaryProcess.RunAsync(["init", "--from", "x1234", "--repo", dir.Path]);
        Assert.Equal(2, from);
        Assert.Contains("--from", fromOutput);

        var (unreachable, unreachableOutput) = await GranaryProcess.RunAsync(["init", "--from", "t01000", "--repo", dir.Path]);
        Assert.Equal(1, unreachable);
        Assert.Contains($"127.0.0.1:{port}", unreachableOutput);
        Assert.Single(unreachableOutput.Trim().Split('\n'), l => l.StartsWith("granary:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", unreachableOutput);
        Assert.False(File.Exists(Path.Combine(dir.Path, "miner.json")));

        File.WriteAllText(Path.Combine(dir.Path, "miner.json"), Encoding.ASCII.GetString("not json"u8));
        var (broken, brokenOutput) = await GranaryProcess.RunAsync(["init", "--from", "t01000", "--repo", dir.Path]);
        Assert.Equal(1, broken);
        Assert.Contains("is not a miner file", brokenOutput);
    }
}
