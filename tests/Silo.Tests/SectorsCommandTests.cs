using System.Text.Json;
using Granary.Silo.Tests.Support;

namespace Granary.Silo.Tests;

/// <summary>
/// The sealing pipeline in the embedded monolith, as real processes: <c>granary init</c> (2 KiB miner on the repo's devnet),
/// <c>granary run</c> with 1 s blocks, a sealing+storage path attached, <c>granary sectors pledge</c>, then
/// <c>sectors status 0</c> until the sector is Proving and <c>sectors list</c> shows it on chain and active, then
/// <c>proving deadlines</c> until the deadline the chain gave it shows its partition proven by a WindowPoSt that landed
/// (the devnet verifies the proof before it counts the partition as proven).
/// </summary>
/// <remarks>
/// How long the proof takes depends on where the sector's deadline falls: the chain gives a new sector the first
/// deadline that opens more than one window ahead. The miner <c>granary init</c> creates on a fresh devnet gets the
/// same proving period offset each time (its address and creation epoch are the same), and with 1 s blocks the
/// sector is Proving well before deadline 0 opens, so the whole test takes about two minutes; the wait below is
/// bounded by the deadline's own window, not a guess.
/// </remarks>
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

        // Proven in its deadline: `proving deadlines` shows its partition proven and the WindowPoSt landed.
        var proven = await WaitProvenAsync(repo, silo);
        Assert.Equal((1, 1, 0), (proven.GetProperty("Partitions").GetInt32(), proven.GetProperty("Sectors").GetInt32(), proven.GetProperty("Faults").GetInt32()));
        Assert.Equal(1, proven.GetProperty("ProvenPartitions").GetInt32());
        Assert.StartsWith("landed ", proven.GetProperty("PoSt").GetString());
        Assert.True(proven.GetProperty("PoStHeight").GetInt64() >= proven.GetProperty("Open").GetInt64());
        var row = (await RepoCli.RunAsync(repo, "proving", "deadlines")).Split('\n', StringSplitOptions.TrimEntries)
            .Single(l => l.StartsWith($"{proven.GetProperty("Index").GetInt32()} ", StringComparison.Ordinal));
        // (Its proven partitions go back to 0 once the window closes, which may be by now; the landed PoSt stays.)
        Assert.Matches(@"^\d+( \(current\))?\s+\d+\s+1\s+1 \(0\)\s+[01]\s+landed bafy", row);
        var info = JsonDocument.Parse(await RepoCli.RunAsync(repo, "proving", "info", "--json")).RootElement;
        Assert.Equal((1, 0), (info.GetProperty("Sectors").GetInt32(), info.GetProperty("Faults").GetInt32()));

        await silo.TerminateAsync();
        Assert.True(silo.ExitCode == 0, $"exit code {silo.ExitCode}:\n{silo.Output[^Math.Min(silo.Output.Length, 6000)..]}");
    }

    // Polls `proving deadlines --json` until the deadline holding the sector shows a landed WindowPoSt; gives up
    // once that deadline's window has closed (plus a few blocks for the landing to be recorded) without one.
    private static async Task<JsonElement> WaitProvenAsync(string repo, GranaryProcess silo)
    {
        var hardStop = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        long? firstOpen = null;
        while (true)
        {
            var rows = JsonDocument.Parse(await RepoCli.RunAsync(repo, "proving", "deadlines", "--json")).RootElement.Clone();
            var info = JsonDocument.Parse(await RepoCli.RunAsync(repo, "proving", "info", "--json")).RootElement;
            var head = info.GetProperty("CurrentEpoch").GetInt64();
            var row = rows.EnumerateArray().SingleOrDefault(r => r.GetProperty("Sectors").GetInt32() > 0);
            if (row.ValueKind == JsonValueKind.Object)
            {
                if (row.GetProperty("ProvenPartitions").GetInt32() > 0 && row.GetProperty("PoSt").GetString() is { } post
                    && post.StartsWith("landed ", StringComparison.Ordinal))
                {
                    return row;
                }

                // The sector's first window (the row shows this period's, which may have closed already): missed if it
                // closes unproven.
                var open = row.GetProperty("Open").GetInt64();
                firstOpen ??= open + 10 <= head ? open + info.GetProperty("ProvingPeriod").GetInt64() : open;
                Assert.False(head > firstOpen + 10 + 5,
                    $"deadline {row.GetProperty("Index")} opened at {firstOpen} and closed unproven (head {head}): {row}\n{silo.Output[^Math.Min(silo.Output.Length, 6000)..]}");
            }

            Assert.True(DateTime.UtcNow < hardStop, $"no WindowPoSt landed within 10 minutes (head {head}): {row}");
            await Task.Delay(1000); // polling the proving scheduler's view, not standing in for work
        }
    }
}
