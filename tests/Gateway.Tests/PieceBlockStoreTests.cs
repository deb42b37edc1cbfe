using System.Data.Common;
using System.Diagnostics;
using System.Security.Cryptography;
using Granary.Filecoin.Cids;
using Granary.Grains.Pieces;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Granary.Gateway.Tests;

/// <summary>The block index table on SQLite and on a real PostgreSQL server (tests/setup/10-postgres.sh).</summary>
public sealed class PieceBlockStoreTests : IDisposable
{
    private static readonly Lazy<string> PostgresAdmin = new(StartPostgres);
    private readonly string _directory = Directory.CreateTempSubdirectory("granary-blocks-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Sqlite_stores_finds_and_replaces_block_rows() =>
        await ExerciseAsync(() => new SqliteConnection($"Data Source={Path.Combine(_directory, "blocks.db")};Pooling=true"), PieceStoreDialect.Sqlite);

    [Fact]
    public async Task Postgresql_stores_finds_and_replaces_block_rows()
    {
        var name = $"granary_{Guid.NewGuid():N}"[..30];
        await using (var admin = new NpgsqlConnection(PostgresAdmin.Value))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(PostgresAdmin.Value) { Database = name }.ToString();
        await ExerciseAsync(() => new NpgsqlConnection(connection), PieceStoreDialect.PostgreSql);
    }

    private static async Task ExerciseAsync(Func<DbConnection> connect, PieceStoreDialect dialect)
    {
        // Two silos' stores meeting an empty database at once both end up with the table.
        var stores = new[] { new PieceBlockStore(connect, dialect), new PieceBlockStore(connect, dialect) };
        var blocks = Enumerable.Range(0, 5000).Select(i => Block(i, offset: 100 + (i * 300))).ToList();
        blocks.Add(Block(7, offset: 99_999_999)); // the same multihash again: the first row stays
        await Task.WhenAll(stores.Select(s => s.CountAsync("warm-up")));
        var store = stores[0];
        await store.AddAsync("piece-a", blocks);
        await stores[1].AddAsync("piece-b", [Block(7, offset: 5), Block(8, offset: 9)]);

        Assert.Equal(5000, await store.CountAsync("piece-a"));
        var seventh = Block(7, 0).Multihash;
        var found = await store.FindAsync(seventh);
        Assert.Equal([("piece-a", 100L + (7 * 300)), ("piece-b", 5L)], found.Select(f => (f.PieceCid, f.Offset)));
        Assert.All(found, f => Assert.Equal(Cid.DagCbor, f.Codec));
        Assert.Equal(42, found[0].Length);
        Assert.Single(await store.FindAsync(seventh, limit: 1));
        Assert.Equal(9, (await store.FindInPieceAsync("piece-b", Block(8, 0).Multihash))!.Offset);
        Assert.Null(await store.FindInPieceAsync("piece-b", Block(9, 0).Multihash));
        var ordered = await store.BlocksAsync("piece-a").ToListAsync();
        Assert.Equal(blocks.Take(5000).Select(b => Convert.ToHexString(b.Multihash)), ordered.Select(b => Convert.ToHexString(b.Multihash)));

        await store.ClearAsync("piece-a");
        Assert.Equal(0, await store.CountAsync("piece-a"));
        Assert.Equal(2, await store.CountAsync("piece-b"));
    }

    private static PieceBlock Block(int i, long offset) =>
        new(new Multihash(Multihash.Sha2_256, SHA256.HashData(BitConverter.GetBytes(i))).ToBytes(), Cid.DagCbor, offset, 42);

    private static string StartPostgres()
    {
        if (Environment.GetEnvironmentVariable("GRANARY_TEST_POSTGRES") is { Length: > 0 } ready)
        {
            return ready;
        }

        var script = Path.Combine(PieceTestFiles.RepoRoot, "tests", "setup", "10-postgres.sh");
        var info = new ProcessStartInfo("bash", ["-c", $"source '{script}' >&2 && printf %s \"$GRANARY_TEST_POSTGRES\""])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return process.ExitCode == 0 && stdout.Result.Length > 0
            ? stdout.Result
            : throw new InvalidOperationException($"PostgreSQL setup failed ({script}):\n{stderr.Result}");
    }
}
