using System.Text.Json;
using Granary.Silo.Backup;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The embedded default keeps its chain in <c>REPO/devnet.db</c>: an offline backup carries a consistent copy of it, and
/// the repo restored from it (a new SQLite database, new ports) runs the same miner on the same chain — its keys, its
/// miner actor and its peer id are what the original's were.
/// </summary>
public sealed class BackupEmbeddedChainTests
{
    [Fact]
    public async Task A_repo_on_the_embedded_devnet_restores_with_its_chain_keys_and_miner()
    {
        using var dir = new TempDirectory();
        var source = Path.Combine(dir.Path, "source");
        var config = TestConfig.OnFreePorts(chain: "DevnetBlockDelaySeconds = 1");
        config.WriteTo(source);
        await RepoCli.RunAsync(source, "init", "--sector-size", "2KiB");
        var miner = JsonDocument.Parse(File.ReadAllText(Path.Combine(source, "miner.json"))).RootElement.GetProperty("Miner").GetString()!;
        string peer;
        await using (var silo = GranaryProcess.Start(["run", "--repo", source]))
        {
            await silo.WaitHealthyAsync(config.DashboardPort);
            peer = (await RepoCli.RunAsync(source, "net", "id")).Trim();
            await silo.TerminateAsync();
        }

        var file = Path.Combine(dir.Path, "embedded.cbor");
        var line = await RepoCli.RunAsync(source, "backup", "--offline", file);
        Assert.StartsWith($"backup {file}: full backup of miner {miner} (", line);
        var header = await BackupReader.VerifyAsync(file);
        Assert.True(header.Counts.GetValueOrDefault(BackupCategories.Chain) > 0, header.DescribeCounts());

        var restored = Path.Combine(dir.Path, "restored");
        var restoredConfig = TestConfig.OnFreePorts(chain: "DevnetBlockDelaySeconds = 1");
        var configFile = Path.Combine(dir.Path, "restored.toml");
        await File.WriteAllTextAsync(configFile, restoredConfig.Text);
        await RepoCli.RunAsync(restored, "init", "restore", file, "--config", configFile);
        Assert.True(File.Exists(Path.Combine(restored, "devnet.db")));
        Assert.False(File.Exists(Path.Combine(restored, "devnet.db.restore.tmp")));

        await using (var silo = GranaryProcess.Start(["run", "--repo", restored]))
        {
            await silo.WaitHealthyAsync(restoredConfig.DashboardPort);
            Assert.Equal(peer, (await RepoCli.RunAsync(restored, "net", "id")).Trim());
            var info = JsonDocument.Parse(await RepoCli.RunAsync(restored, "actor", "info", "--json")).RootElement;
            Assert.Equal(miner, info.GetProperty("Miner").GetString());
            await silo.TerminateAsync();
            Assert.True(silo.ExitCode == 0, silo.Output);
        }

        // The restored repo is a miner's: init refuses to make another.
        var (code, output) = await GranaryProcess.RunAsync(["init", "--repo", restored]);
        Assert.Equal(1, code);
        Assert.Contains($"already has miner {miner}", output);
    }
}
