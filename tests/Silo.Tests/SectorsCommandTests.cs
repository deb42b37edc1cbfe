using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The sealing pipeline in the embedded monolith, as real processes: <c>granary init</c> (2 KiB miner on the repo's devnet),
/// <c>granary run</c> with 1 s blocks, a sealing+storage path attached, <c>granary sectors pledge</c>, then
/// <c>sectors status 0</c> until the sector is Proving and <c>sectors list</c> shows it on chain and active.
/// </summary>
public sealed class SectorsCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_pledged_sector_reaches_Proving_and_status_and_list_show_it_like_lotus()
    {
        using var dir = new TempDirectory();
        var repo = Path.Combine(dir.Path, "repo");
        // Short batch waits so one sector is not held for a minute waiting for company.
        var config = TestConfig.OnFreePorts(chain: """
            DevnetBlockDelaySeconds = 1
            [Sealing]
            PreCommitBatchWait = "1s"
            CommitBatchWait = "1s"
            RetryBackoff = "1s"
            """);
        config.WriteTo(repo);
        var (code, output) = await GranaryProcess.RunAsync(["init", "--sector-size", "2KiB", "--repo", repo]);
        Assert.True(code == 0, output);

        await using var silo = GranaryProcess.Start(["run", "--repo", repo]);
        await silo.WaitHealthyAsync(config.DashboardPort);
        await RepoCli.RunAsync(repo, "storage", "attach", "--init", "--seal", "--store", Path.Combine(dir.Path, "sectors"));

        // Refusals first: nothing to show, remove needs confirmation, a number that is not one.
        var (missingCode, missing) = await GranaryProcess.RunAsync(["sectors", "status", "0", "--repo", repo]);
        Assert.Equal(1, missingCode);
        Assert.Contains("sector 0 not found", missing);
        var (confirmCode, confirm) = await GranaryProcess.RunAsync(["sectors", "remove", "0", "--repo", repo]);
        Assert.Equal(1, confirmCode);
        Assert.Contains("--really-do-it", confirm);
        var (badCode, _) = await GranaryProcess.RunAsync(["sectors", "status", "minus-one", "--repo", repo]);
        Assert.NotEqual(0, badCode);

        Assert.Equal("Created CC sector: 0", (await RepoCli.RunAsync(repo, "sectors", "pledge")).Trim());
        var deadline = DateTime.UtcNow + Patience;
        string status;
        do
        {
            status = await RepoCli.RunAsync(repo, "sectors", "status", "0", "--log");
            if (status.Contains("Status:\t\tProving", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(500); // polling the sector's state, not standing in for work
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(status.Contains("Status:\t\tProving", StringComparison.Ordinal), $"not Proving after {Patience}:\n{status}\n{silo.Output}");
        Assert.Contains("CIDcommR:\tbagboea4b5abc", status);
        Assert.Contains("CIDcommD:\tbaga6ea4seaq", status);
        Assert.Contains("OnChain:\tYES", status);
        Assert.Contains("Active:\t\tYES", status);
        foreach (var state in new[] { "Packing", "GetTicket", "PreCommit1", "PreCommit2", "SubmitPreCommitBatch", "PreCommitBatchWait", "WaitSeed",
            "Committing", "SubmitCommit", "CommitWait", "FinalizeSector", "Proving" })
        {
            Assert.Contains($"[{state}]", status);
        }

        var list = await RepoCli.RunAsync(repo, "sectors", "list");
        var lines = list.Trim().Split('\n', StringSplitOptions.TrimEntries);
        Assert.Matches(@"^ID\s+State\s+OnChain\s+Active\s+Expiration\s+Deals$", lines[0]);
        Assert.Matches(@"^0\s+Proving\s+YES\s+YES\s+\d+\s+CC$", lines[1]);
        var json = JsonDocument.Parse(await RepoCli.RunAsync(repo, "sectors", "list", "--json")).RootElement;
        var sector = Assert.Single(json.EnumerateArray());
        Assert.Equal(("Proving", true), (sector.GetProperty("State").GetString(), sector.GetProperty("OnChain").GetBoolean()));

        await silo.TerminateAsync();
        Assert.True(silo.ExitCode == 0, $"exit code {silo.ExitCode}:\n{silo.Output[^Math.Min(silo.Output.Length, 6000)..]}");
    }
}
