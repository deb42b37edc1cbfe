using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;
using Granary.Silo.Api;
using Granary.Silo.Cli;
using Granary.Silo.Configuration;
using Granary.Silo.Database;
using Granary.Silo.Hosting;
using Granary.Silo.Repo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Tests;

/// <summary>
/// A real sealing silo (Orleans, Kestrel, SQLite, its <c>[Sealing]</c> config) with a running and a queued task:
/// <c>Filecoin.WorkerJobs</c>/<c>WorkerStats</c> over HTTP with an admin token (a read token is refused), and the
/// <c>granary sealing jobs|workers|abort</c> verbs against it.
/// </summary>
public sealed class SealingWorkerApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _root = Directory.CreateTempSubdirectory("granary-sealing-api-").FullName;
    private WebApplication _app = null!;
    private GranaryRepo _repo = null!;
    private string _multiaddr = "";

    public async Task InitializeAsync()
    {
        var (api, dashboard, siloPort) = (FreePort(), FreePort(), FreePort());
        _multiaddr = $"/ip4/127.0.0.1/tcp/{api}/http";
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(Path.Combine(_root, "config.toml"), $"""
            [Subsystems]
            EnableMining = false
            EnableSectorStorage = false
            EnableMarkets = false
            [API]
            ListenAddress = "{_multiaddr}"
            [Cluster]
            SiloPort = {siloPort}
            [Dashboard]
            ListenAddress = "127.0.0.1:{dashboard}"
            [Sealing]
            Cores = 1
            Memory = "1GiB"
            MaxParallelPreCommit1 = 1
            """);
        _repo = GranaryRepo.OpenOrCreate(_root, out _);
        var config = ConfigLoader.Load(_repo.ConfigPath);
        var database = DatabaseTarget.Resolve(config.Cluster.Database, _repo.Root);
        await SchemaMigrator.ApplyAsync(database);
        _app = SiloApplication.Build(new SiloIdentity(_repo, config, database, "sealer-a"), logging => logging.ClearProviders());
        await _app.StartAsync();
        _repo.WriteApiInfo(_multiaddr, _app.Services.GetRequiredService<ApiToken>().Issue(Permissions.All));
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Sealing_jobs_and_workers_show_a_running_and_a_queued_task_and_abort_cancels_one()
    {
        var pool = _app.Services.GetRequiredService<SealingWorkerPool>();
        Assert.Equal(new MachineResources(1, 1L << 30, 0), pool.Capacity);
        var (running, next) = (new WorkGate(), new WorkGate());
        var first = pool.RunAsync(new SealingTask(new SectorId(1000, 7), SealingTaskType.PreCommit1, SealProofType.Sector2KiB), (ct, p) =>
        {
            p.Report(new StageProgress("PreCommit1", 0.5));
            return running.Hold(ct, 7);
        });
        var second = pool.RunAsync(new SealingTask(new SectorId(1000, 8), SealingTaskType.AddPiece, SealProofType.Sector2KiB), (ct, _) => next.Hold(ct, 8));
        await running.Started.WaitAsync(Patience);

        // The API, as lotus's WorkerJobs: one worker (this silo) with its jobs.
        using var admin = new ApiClient(new ApiInfo(_app.Services.GetRequiredService<ApiToken>().Issue(Permissions.UpTo(Permission.Admin)), _multiaddr));
        var jobs = await admin.CallAsync("Filecoin.WorkerJobs");
        var worker = Assert.Single(jobs.EnumerateObject());
        Assert.Equal("sealer-a", worker.Name);
        var listed = worker.Value.EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        var job = listed.Single(j => j.GetProperty("Sector").GetProperty("Number").GetUInt64() == 7);
        Assert.Equal("seal/v0/precommit/1", job.GetProperty("Task").GetString());
        Assert.Equal(0, job.GetProperty("RunWait").GetInt32());
        Assert.Equal("running", job.GetProperty("State").GetString());
        Assert.Equal(0.5, job.GetProperty("Progress").GetDouble());
        Assert.Equal(1000UL, job.GetProperty("ID").GetProperty("Sector").GetProperty("Miner").GetUInt64());
        Assert.Equal(Environment.MachineName, job.GetProperty("Hostname").GetString());
        var waiting = listed.Single(j => j.GetProperty("Sector").GetProperty("Number").GetUInt64() == 8);
        Assert.Equal((2, "assigned(1)"), (waiting.GetProperty("RunWait").GetInt32(), waiting.GetProperty("State").GetString()));

        var stats = (await admin.CallAsync("Filecoin.WorkerStats")).GetProperty("sealer-a");
        Assert.Equal(1, stats.GetProperty("Info").GetProperty("Resources").GetProperty("CPUs").GetInt32());
        Assert.Equal(1, stats.GetProperty("CpuUse").GetInt32());
        Assert.Equal(14 << 10, stats.GetProperty("MemUsedMax").GetInt64());
        Assert.Equal(1, stats.GetProperty("TaskCounts").GetProperty("seal/v0/precommit/1").GetInt32());
        Assert.Equal(1, stats.GetProperty("Info").GetProperty("Resources").GetProperty("Resources")
            .GetProperty("seal/v0/precommit/1").GetProperty("5").GetProperty("MaxParallel").GetInt32());

        // Admin only, as in lotus.
        using var reader = new ApiClient(new ApiInfo(_app.Services.GetRequiredService<ApiToken>().Issue([Permission.Read]), _multiaddr));
        var refused = await Assert.ThrowsAsync<CliError>(() => reader.CallAsync("Filecoin.WorkerJobs"));
        Assert.Contains("need 'admin'", refused.Message);
        var badCall = await Assert.ThrowsAsync<CliError>(() => admin.CallAsync("Filecoin.SealingAbort", "not-a-call-id"));
        Assert.Contains("must be a call id", badCall.Message);

        // The CLI, as lotus-miner's `sealing jobs`.
        var table = await CliAsync("sealing", "jobs");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ID", "Sector", "Worker", "Hostname", "Task", "State", "Time", "Progress"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var id = job.GetProperty("ID").GetProperty("ID").GetGuid();
        Assert.Equal([id.ToString("N")[..8], "7", "sealer-a", Environment.MachineName, "PC1", "running"], row[..6]);
        Assert.EndsWith("s", row[6]);
        Assert.Equal("50%", row[7]);
        Assert.Contains("AP  ", lines[2]);
        Assert.Contains("assigned(1)", lines[2]);
        using (var parsed = JsonDocument.Parse(await CliAsync("sealing", "jobs", "--json")))
        {
            Assert.Equal(2, parsed.RootElement.GetProperty("sealer-a").GetArrayLength());
        }

        var workers = await CliAsync("sealing", "workers");
        Assert.Contains($"Worker sealer-a, host {Environment.MachineName}", workers);
        Assert.Contains("1/1 core(s) in use", workers);
        Assert.Contains("14 KiB/1 GiB", workers);
        Assert.Contains("AP 0 running, 1 queued; PC1 1 running, 0 queued", workers);

        // Abort by the printed ID prefix: the work sees its token, and the queued task gets the core.
        Assert.Equal($"aborted {id:N}", (await CliAsync("sealing", "abort", id.ToString("N")[..8])).Trim());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Patience));
        Assert.True(running.SawCancellation);
        await next.Started.WaitAsync(Patience);
        var missing = await Assert.ThrowsAsync<CliError>(() => CliAsync("sealing", "abort", "ffffffff"));
        Assert.Contains("no queued or running sealing job ffffffff", missing.Message);
        await Assert.ThrowsAsync<CliError>(() => CliAsync("sealing", "abort", "xyz"));

        next.Release();
        Assert.Equal(8, await second.WaitAsync(Patience));
    }

    private async Task<string> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await GranaryCli.Build().Parse([.. args, "--repo", _root]).InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = output,
            EnableDefaultExceptionHandler = false,
        });
        Assert.True(code == 0, output.ToString());
        return output.ToString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
