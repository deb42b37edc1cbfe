using System.Text.Json;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Rpc;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Cbor;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Libp2p.Host;
using Granary.Libp2p.Multiaddrs;
using Granary.Libp2p.Peers;
using Granary.Silo.Backup;
using Granary.Silo.Tests.Support;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Silo.Tests;

/// <summary>
/// Moving a miner from the embedded SQLite default onto PostgreSQL with real processes: a monolith on a devnet process
/// pledges a sector to Proving, sets an ask and accepts a deal over libp2p; <c>granary backup FILE</c> (online) writes the
/// backup while it runs (a wrong token and <c>--offline</c> on a running silo are refused); after it stops,
/// <c>granary backup --offline</c> agrees; <c>granary init restore</c> recreates it on a new PostgreSQL database — every
/// grain-state row equal — and the restored silo lists the same sectors, deals and ask. Restoring over an existing repo,
/// into a non-empty database, or from a corrupt file is refused and changes nothing.
/// </summary>
public sealed class BackupCommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_monolith_backed_up_online_restores_onto_PostgreSQL_with_the_same_sectors_deals_and_ask()
    {
        using var dir = new TempDirectory();
        await using var devnet = await DevnetProcess.StartAsync(Path.Combine(dir.Path, "devnet"));
        var source = Path.Combine(dir.Path, "source");
        var chain = $"""
            ApiInfo = "{devnet.ApiInfo}"
            [Sealing]
            PreCommitBatchWait = "1s"
            CommitBatchWait = "1s"
            RetryBackoff = "1s"
            [Dealmaking]
            StartEpochSealingBuffer = 20
            ExpectedSealDuration = "0s"
            """;
        var sourceConfig = TestConfig.OnFreePorts(chain: chain);
        sourceConfig.WriteTo(source);
        await RepoCli.RunAsync(source, "init", "--sector-size", "2KiB", "--from", devnet.Faucet);
        var minerFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(source, "miner.json"))).RootElement;
        var miner = minerFile.GetProperty("Miner").GetString()!;

        using var rpc = ChainRpcClient.FromApiInfo(devnet.ApiInfo);
        var clientKey = Blake2b.Hash256("granary backup test client"u8);
        var client = Secp256k1.AddressOf(clientKey);
        var faucet = Address.Parse(devnet.Faucet);
        await DevnetDeals.SendAsync(rpc, new Message(0, client, faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Send, []));
        await DevnetDeals.SendAsync(rpc, new Message(0, Address.FromId(Granary.Chain.Devnet.SystemActors.Market), faucet, 0, TokenAmount.FromFil(1), 0, TokenAmount.Zero,
            TokenAmount.Zero, ActorMethods.Market.AddBalance, MarketAddBalanceParams.ToCbor(client)));

        string sectors, deals, ask;
        var online = Path.Combine(dir.Path, "online.cbor");
        Guid dealUuid;
        await using (var silo = GranaryProcess.Start(["run", "--repo", source]))
        {
            await silo.WaitHealthyAsync(sourceConfig.DashboardPort);
            await RepoCli.RunAsync(source, "storage", "attach", "--init", "--seal", "--store", Path.Combine(dir.Path, "sectors"));
            await RepoCli.RunAsync(source, "storage-deals", "set-ask", "--price", "0.0000000001", "--verified-price", "0", "--min-piece-size", "256B");
            Assert.Equal("Created CC sector: 0", (await RepoCli.RunAsync(source, "sectors", "pledge")).Trim());

            var peer = (await RepoCli.RunAsync(source, "net", "id")).Trim();
            await using var host = new Libp2pHost(Identity.Generate());
            var deal = await DevnetDeals.ProposalAsync(rpc, clientKey, miner, 200, "backup test piece"u8.ToArray(), 1000);
            dealUuid = deal.DealUuid;
            Assert.Equal(new DealResponse(true, ""), await DevnetDeals.ProposeAsync(host, Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{sourceConfig.Libp2pPort}/p2p/{peer}"), deal));

            var deadline = DateTime.UtcNow + Patience;
            do
            {
                sectors = await RepoCli.RunAsync(source, "sectors", "list");
                if (sectors.Contains("Proving", StringComparison.Ordinal))
                {
                    break;
                }

                await Task.Delay(500); // polling the sector's state, not standing in for work
            }
            while (DateTime.UtcNow < deadline);

            Assert.True(sectors.Contains("Proving", StringComparison.Ordinal), $"not Proving after {Patience}:\n{sectors}\n{silo.Output}");
            deals = await RepoCli.RunAsync(source, "storage-deals", "list");
            ask = await RepoCli.RunAsync(source, "storage-deals", "get-ask", "--json");

            // A wrong token is refused before anything is written; --offline is refused while the silo holds the repo.
            var api = File.ReadAllText(Path.Combine(source, "api")).Trim();
            var (badCode, bad) = await GranaryProcess.RunAsync(["backup", online], new Dictionary<string, string?> { ["MINER_API_INFO"] = $"eyJhbGciOiJIUzI1NiJ9.e30.bad:{api}" });
            Assert.Equal(1, badCode);
            Assert.StartsWith("granary: the API refused the token", bad.Trim());
            Assert.DoesNotContain('\n', bad.Trim());
            var (runningCode, running) = await GranaryProcess.RunAsync(["backup", "--offline", Path.Combine(dir.Path, "x.cbor"), "--repo", source]);
            Assert.Equal((1, $"granary: the silo of {source} is running (it holds repo.lock); stop it first, or back it up online with `granary backup FILE`"),
                (runningCode, running.Trim()));
            Assert.False(File.Exists(online) || File.Exists(Path.Combine(dir.Path, "x.cbor")));

            var written = await RepoCli.RunAsync(source, "backup", online);
            Assert.StartsWith($"backup {online}: full backup of miner {miner} (", written);
            await silo.TerminateAsync();
            Assert.True(silo.ExitCode == 0, silo.Output);
        }

        var header = await BackupReader.VerifyAsync(online);
        Assert.Equal((BackupKind.Full, miner), (header.Kind, header.Miner));
        foreach (var category in new[] { "miner", "keys", "sectors", "deals", "asks", "storage", "config" })
        {
            Assert.True(header.Counts.GetValueOrDefault(category) > 0, $"no {category} in {header.DescribeCounts()}");
        }

        // Offline, from the stopped repo: the same sectors, deals and ask.
        var offline = Path.Combine(dir.Path, "offline.cbor");
        await RepoCli.RunAsync(source, "backup", "--offline", offline);
        var offlineHeader = await BackupReader.VerifyAsync(offline);
        foreach (var category in new[] { "miner", "keys", "sectors", "deals", "asks", "storage" })
        {
            Assert.Equal(header.Counts[category], offlineHeader.Counts[category]);
        }

        // Restore onto a new PostgreSQL database with a cluster config (new ports, same chain).
        var database = await PostgresServer.CreateDatabaseAsync();
        var restored = Path.Combine(dir.Path, "restored");
        var restoredConfig = TestConfig.OnFreePorts(database, chain: chain);
        var configFile = Path.Combine(dir.Path, "cluster.toml");
        await File.WriteAllTextAsync(configFile, restoredConfig.Text);

        // Refusals first, each leaving nothing behind: a corrupt file, then a repo that exists.
        var corrupt = Path.Combine(dir.Path, "corrupt.cbor");
        var bytes = await File.ReadAllBytesAsync(online);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(corrupt, bytes);
        var (corruptCode, corruptOutput) = await GranaryProcess.RunAsync(["init", "restore", corrupt, "--config", configFile, "--repo", restored]);
        Assert.Equal((1, $"granary: {corrupt}: checksum mismatch: the file is corrupt or truncated (its SHA-256 is not the one recorded at its end)"),
            (corruptCode, corruptOutput.Trim()));
        var truncated = Path.Combine(dir.Path, "truncated.cbor");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 3)]);
        var verified = (await RepoCli.RunAsync(source, "backup", "--verify", online)).Trim();
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(online)}: full backup of miner {miner}, created .*Z, \d+ records \(.*\), checksum OK$", verified);
        var (verifyCode, verifyOutput) = await GranaryProcess.RunAsync(["backup", "--verify", corrupt]);
        Assert.Equal((1, $"granary: {corrupt}: checksum mismatch: the file is corrupt or truncated (its SHA-256 is not the one recorded at its end)"),
            (verifyCode, verifyOutput.Trim()));
        var (truncatedCode, _) = await GranaryProcess.RunAsync(["init", "restore", truncated, "--config", configFile, "--repo", restored]);
        Assert.Equal(1, truncatedCode);
        Assert.False(Directory.Exists(restored));
        Assert.Equal(0, await PostgresRowsAsync(database));
        var (existsCode, exists) = await GranaryProcess.RunAsync(["init", "restore", online, "--config", configFile, "--repo", source]);
        Assert.Equal((1, $"granary: {source} exists and is not empty; init restore creates a new repo (choose another --repo)"), (existsCode, exists.Trim()));

        var restore = await RepoCli.RunAsync(restored, "init", "restore", online, "--config", configFile);
        Assert.Contains($"repo {restored} restored: miner {miner}", restore);
        if (!OperatingSystem.IsWindows())
        {
            foreach (var key in Directory.EnumerateFiles(Path.Combine(restored, "keystore")))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(source, "keystore", Path.GetFileName(key))), await File.ReadAllBytesAsync(key));
            }
        }

        Assert.Equal(File.ReadAllText(Path.Combine(source, "miner.json")), File.ReadAllText(Path.Combine(restored, "miner.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(source, "storage.json")), File.ReadAllText(Path.Combine(restored, "storage.json")));

        // Every grain-state row of the backup is in PostgreSQL, byte for byte.
        var sourceRows = await SqliteStatesAsync(Path.Combine(source, "granary.db"));
        var targetRows = await PostgresStatesAsync(database);
        var backedUp = new List<GrainStateRecord>();
        await foreach (var record in BackupReader.ReadAsync(online))
        {
            if (record is GrainStateRecord state)
            {
                backedUp.Add(state);
            }
        }

        Assert.Equal(backedUp.Count, targetRows.Count);
        foreach (var state in backedUp)
        {
            Assert.Equal(state.Payload, targetRows[(state.GrainType, state.GrainIdN0, state.GrainIdN1, state.Extension)]);
        }

        foreach (var type in new[] { "sector", "deal", "storage-ask", "miner", "sector-index" })
        {
            var rows = sourceRows.Where(r => r.Key.Type == type).ToList();
            Assert.NotEmpty(rows);
            Assert.All(rows, r => Assert.Equal(r.Value, targetRows[r.Key]));
        }

        // A second restore into the now non-empty database is refused.
        var (fullCode, full) = await GranaryProcess.RunAsync(["init", "restore", online, "--config", configFile, "--repo", Path.Combine(dir.Path, "again")]);
        Assert.Equal(1, fullCode);
        Assert.Contains("is not empty (OrleansStorage has", full);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "again")));

        var backups = Path.Combine(dir.Path, "backups");
        Directory.CreateDirectory(backups);
        await using (var silo = GranaryProcess.Start(["run", "--repo", restored], new Dictionary<string, string?> { ["GRANARY_BACKUP_BASE_PATH"] = backups }))
        {
            await silo.WaitHealthyAsync(restoredConfig.DashboardPort);
            Assert.Equal(Rows(sectors), Rows(await RepoCli.RunAsync(restored, "sectors", "list")));
            var restoredDeals = await RepoCli.RunAsync(restored, "storage-deals", "list");
            Assert.Equal(Rows(deals), Rows(restoredDeals));
            Assert.Contains(dealUuid.ToString(), restoredDeals);
            var restoredAsk = JsonDocument.Parse(await RepoCli.RunAsync(restored, "storage-deals", "get-ask", "--json")).RootElement;
            Assert.Equal(JsonDocument.Parse(ask).RootElement.GetProperty("Ask").GetRawText(), restoredAsk.GetProperty("Ask").GetRawText());

            // The restored silo backs up from PostgreSQL (one REPEATABLE READ snapshot) with the same contents, only inside
            // its GRANARY_BACKUP_BASE_PATH.
            var outside = Path.Combine(dir.Path, "outside.cbor");
            var (outsideCode, outsideOutput) = await GranaryProcess.RunAsync(["backup", outside, "--repo", restored]);
            Assert.Equal((1, $"granary: Filecoin.CreateBackup: '{outside}' is outside {backups}/ (GRANARY_BACKUP_BASE_PATH of the silo); write the backup inside it"),
                (outsideCode, outsideOutput.Trim()));
            Assert.False(File.Exists(outside));
            var again = Path.Combine(backups, "from-postgres.cbor");
            await RepoCli.RunAsync(restored, "backup", again);
            var againHeader = await BackupReader.VerifyAsync(again);
            Assert.Equal(miner, againHeader.Miner);
            foreach (var category in new[] { "miner", "keys", "sectors", "deals", "asks", "storage" })
            {
                Assert.Equal(header.Counts[category], againHeader.Counts[category]);
            }

            await silo.TerminateAsync();
            Assert.True(silo.ExitCode == 0, silo.Output);
        }
    }

    private static string[] Rows(string table) => [.. table.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static async Task<long> PostgresRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'orleansstorage'", connection);
        if ((long)(await command.ExecuteScalarAsync())! == 0)
        {
            return 0;
        }

        await using var rows = new NpgsqlCommand("SELECT COUNT(*) FROM OrleansStorage", connection);
        return (long)(await rows.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<(string Type, long N0, long N1, string Ext), byte[]?>> SqliteStatesAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        return await StatesAsync(connection);
    }

    private static async Task<Dictionary<(string Type, long N0, long N1, string Ext), byte[]?>> PostgresStatesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await StatesAsync(connection);
    }

    private static async Task<Dictionary<(string Type, long N0, long N1, string Ext), byte[]?>> StatesAsync(System.Data.Common.DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, PayloadBinary FROM OrleansStorage";
        await using var reader = await command.ExecuteReaderAsync();
        var result = new Dictionary<(string, long, long, string), byte[]?>();
        while (await reader.ReadAsync())
        {
            result[(reader.GetString(0), Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2)), reader.GetString(3))] =
                reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4);
        }

        return result;
    }
}
