using System.Text.Json;
using Granary.Chain;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Silo.Chain;
using Granary.Silo.Configuration;

namespace Granary.Silo.Cli;

/// <summary>
/// The checks of <c>granary init service</c>, all before anything is written or sent; each refusal is one line naming
/// the argument at fault.
/// </summary>
internal static class InitServiceChecks
{
    private const int ActiveStatus = 3; // Orleans SiloStatus.Active in OrleansMembershipTable

    public static async Task<InitServicePlan> RunAsync(string root, string configPath, ApiInfo sealer, ApiInfo sectorIndex, string? backup, CancellationToken ct)
    {
        if (File.Exists(Path.Combine(root, "config.toml")))
        {
            throw new CliError($"{root} is already a repo (it has config.toml); give the gateway a new --repo directory", 2);
        }

        var full = Path.GetFullPath(configPath);
        if (!File.Exists(full))
        {
            throw new CliError($"--config: {full} does not exist", 2);
        }

        var text = File.ReadAllText(full);
        var config = ConfigLoader.Parse(text, full);
        var s = config.Subsystems;
        if (!s.EnableMarkets || s.EnableMining || s.EnableSealing || s.EnableSectorStorage)
        {
            throw new CliError($"--config: {full} must enable only the markets subsystem ([Subsystems] EnableMarkets = true, EnableMining = false, "
                + $"EnableSealing = false, EnableSectorStorage = false); it enables {Describe(s)}", 2);
        }

        if (Database.DatabaseTarget.Validate(config.Cluster.Database) != Database.DatabaseKind.PostgreSql)
        {
            throw new CliError($"--config: [Cluster] Database is '{config.Cluster.Database}'; a gateway joins the miner's cluster through its PostgreSQL "
                + "database (Host=…;Database=…;Username=…;Password=…)", 2);
        }

        if (config.Chain.Embedded)
        {
            throw new CliError("--config: [Chain] ApiInfo is empty (the embedded devnet, private to one process); set it to the chain node the miner uses", 2);
        }

        // The APIs: valid tokens, one miner, one cluster.
        var join = await Ask("--api-sealer", sealer, async c =>
        {
            var perms = (await c.CallAsync("Filecoin.AuthVerify", [sealer.Token])).EnumerateArray().Select(p => p.GetString()).ToArray();
            if (!perms.Contains("admin"))
            {
                throw new CliError($"the token has [{string.Join(", ", perms)}]; changing the miner's peer id needs an admin token (`granary auth api-info --perm admin` on the miner)");
            }

            return await c.CallAsync("Filecoin.ServiceJoinInfo");
        });
        var miner = JsonSerializer.Deserialize<MinerFile>(join.GetProperty("Miner").GetRawText())
            ?? throw new CliError("--api-sealer: the silo answered no miner");
        var sealerSilo = join.GetProperty("Silo").GetString()!;
        var sealerAddress = join.GetProperty("SiloAddress").GetString()!;
        if (join.GetProperty("Database").GetString() != "postgresql")
        {
            throw new CliError($"--api-sealer: the miner's silo {sealerSilo} keeps its cluster in {join.GetProperty("Database").GetString()}, which no other machine can join; "
                + "move the miner to PostgreSQL first (`granary backup`, then `granary init restore` into a PostgreSQL database)");
        }

        if (join.GetProperty("ChainEmbedded").GetBoolean())
        {
            throw new CliError($"--api-sealer: the miner's silo {sealerSilo} runs the embedded devnet, which no gateway can share; "
                + "run the chain as its own process (`granary devnet run`) or a Lotus node and set [Chain] ApiInfo on the miner");
        }

        var indexMiner = await Ask("--api-sector-index", sectorIndex, async c =>
        {
            var answered = (await c.CallAsync("Filecoin.ActorAddress")).GetString()!;
            var members = await c.CallAsync("Filecoin.ClusterMembers");
            if (!members.EnumerateArray().Any(m => m.GetProperty("Address").GetString() == sealerAddress))
            {
                throw new CliError($"its cluster does not include the sealer's silo {sealerSilo} ({sealerAddress}); both APIs must be of one cluster");
            }

            return answered;
        });
        if (indexMiner != miner.Miner)
        {
            throw new CliError($"--api-sector-index serves miner {indexMiner}, --api-sealer miner {miner.Miner}: both must be the same miner");
        }

        var clusterId = join.GetProperty("ClusterId").GetString();
        var serviceId = join.GetProperty("ServiceId").GetString();
        if (backup is not null)
        {
            await CheckBackupAsync(Path.GetFullPath(backup), miner.Miner, serviceId!, ct);
        }

        if (config.Cluster.ClusterId != clusterId || config.Cluster.ServiceId != serviceId)
        {
            throw new CliError($"--config: [Cluster] ClusterId '{config.Cluster.ClusterId}' and ServiceId '{config.Cluster.ServiceId}' must be the miner's cluster's "
                + $"('{clusterId}', '{serviceId}')", 2);
        }

        await CheckMembershipAsync(config, sealerSilo, sealerAddress, miner.Miner, ct);
        await CheckChainAsync(config, miner, ct);
        return new InitServicePlan(root, text, miner, sealer);
    }

    // The database in the config must hold the cluster the sealer's silo is active in: another database is another cluster
    // (another miner's, or none), which the gateway would join instead.
    private static async Task CheckMembershipAsync(GranaryConfig config, string sealerSilo, string sealerAddress, string miner, CancellationToken ct)
    {
        var active = new List<(string Name, string Address)>();
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(config.Cluster.Database);
            await connection.OpenAsync(ct);
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT SiloName, Address, Port, Generation FROM OrleansMembershipTable WHERE DeploymentId = @c AND Status = @s", connection);
            command.Parameters.AddWithValue("c", config.Cluster.ClusterId);
            command.Parameters.AddWithValue("s", ActiveStatus);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                active.Add((reader.GetString(0), $"{reader.GetString(1)}:{reader.GetInt32(2)}@{reader.GetInt32(3)}"));
            }
        }
        catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            throw new CliError($"--config: the [Cluster] Database holds no Orleans cluster (no membership table), so it is not the cluster of miner {miner}", 2);
        }
        catch (Npgsql.NpgsqlException e)
        {
            throw new CliError($"--config: cannot read the [Cluster] Database: {e.Message}", 2);
        }

        if (!active.Any(m => m.Address == sealerAddress))
        {
            throw new CliError($"--config: the [Cluster] Database is not the cluster of miner {miner}: its active silos are "
                + $"[{string.Join(", ", active.Select(m => m.Name))}], not the sealer's silo {sealerSilo} (another miner's cluster, or another database?)", 2);
        }
    }

    // The backup (`granary backup`) must be whole and of this miner and service: a gateway made for another miner's backup
    // would serve the wrong deals.
    private static async Task CheckBackupAsync(string path, string miner, string serviceId, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new CliError($"BACKUP: {path} does not exist", 2);
        }

        Backup.BackupHeader header;
        try
        {
            header = await Backup.BackupReader.VerifyAsync(path, cancellationToken: ct);
        }
        catch (Backup.BackupFormatException e)
        {
            throw new CliError($"BACKUP: {path}: {e.Message}", 2);
        }

        if (header.Miner != miner)
        {
            throw new CliError($"BACKUP: {path} is a backup of miner {(header.Miner.Length == 0 ? "(none)" : header.Miner)}, not of {miner} (the miner the APIs serve)", 2);
        }

        if (header.ServiceId != serviceId)
        {
            throw new CliError($"BACKUP: {path} is of service '{header.ServiceId}', not the cluster's '{serviceId}'", 2);
        }
    }

    private static async Task CheckChainAsync(GranaryConfig config, MinerFile miner, CancellationToken ct)
    {
        try
        {
            using var chain = ChainRpcClient.FromApiInfo(config.Chain.ApiInfo);
            var info = await chain.StateMinerInfo(Address.Parse(miner.Miner), null, ct);
            var worker = await chain.StateAccountKey(info.Worker, null, ct);
            if (worker != Address.Parse(miner.Worker))
            {
                throw new CliError($"--config: on the [Chain] node miner {miner.Miner}'s worker is {worker.ToString('t')}, not {miner.Worker}: is it the miner's chain?", 2);
            }
        }
        catch (Exception e) when (e is ChainException or HttpRequestException or TimeoutException or FormatException or InvalidOperationException)
        {
            throw new CliError($"--config: the [Chain] node does not know miner {miner.Miner} ({e.Message}): is it the miner's chain?", 2);
        }
    }

    private static async Task<T> Ask<T>(string option, ApiInfo info, Func<ApiClient, Task<T>> call)
    {
        try
        {
            using var client = new ApiClient(info);
            return await call(client);
        }
        catch (CliError e)
        {
            throw new CliError($"{option}: {e.Message}", e.ExitCode);
        }
    }

    private static string Describe(SubsystemsConfig s)
    {
        var on = new[] { ("EnableMining", s.EnableMining), ("EnableSealing", s.EnableSealing), ("EnableSectorStorage", s.EnableSectorStorage),
            ("EnableMarkets", s.EnableMarkets) }.Where(x => x.Item2).Select(x => x.Item1).ToArray();
        return on.Length == 0 ? "none" : string.Join(", ", on);
    }
}
