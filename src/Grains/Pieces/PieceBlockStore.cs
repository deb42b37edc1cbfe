using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;

namespace Granary.Grains.Pieces;

/// <summary>
/// The block index of every piece: one row per (piece, block multihash) with the block's data range in the piece's
/// payload, in the cluster database (table <c>GranaryPieceBlocks</c>, created on first use). Why a table and not grain
/// state or a file: a 32 GiB piece of 256 KiB blocks has ~130,000 blocks, too many for a grain state that is rewritten
/// whole on every change; a file next to the staging data would live on one gateway's disk, while every gateway of the
/// cluster must answer <c>/ipfs/{cid}</c> for any piece, which needs a lookup by multihash across all pieces — an
/// indexed column in the shared database (SQLite on one machine, PostgreSQL for a cluster) is exactly that.
/// Writes go in short transactions of <see cref="BatchRows"/> rows so that indexing a large piece never holds
/// SQLite's write lock for long (grain state shares that database).
/// </summary>
public sealed class PieceBlockStore(Func<DbConnection> connect, PieceStoreDialect dialect)
{
    /// <summary>The table.</summary>
    public const string Table = "GranaryPieceBlocks";

    /// <summary>Rows per insert transaction.</summary>
    public const int BatchRows = 2000;

    private const int RowsPerStatement = 200;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>The dialect.</summary>
    public PieceStoreDialect Dialect => dialect;

    /// <summary>Deletes every block row of a piece (before it is indexed again).</summary>
    public async Task ClearAsync(string pieceCid, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"DELETE FROM {Table} WHERE PieceCid = @p", ("p", pieceCid));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Adds block rows of a piece; a multihash already recorded for the piece keeps its first row.</summary>
    public async Task AddAsync(string pieceCid, IReadOnlyList<PieceBlock> blocks, CancellationToken cancellationToken = default)
    {
        if (blocks.Count == 0)
        {
            return;
        }

        await using var connection = await OpenAsync(cancellationToken);
        for (var start = 0; start < blocks.Count; start += BatchRows)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            var end = Math.Min(blocks.Count, start + BatchRows);
            for (var at = start; at < end; at += RowsPerStatement)
            {
                var rows = Math.Min(RowsPerStatement, end - at);
                var sql = new StringBuilder($"INSERT INTO {Table} (PieceCid, Multihash, Codec, BlockOffset, BlockLength) VALUES ");
                await using var command = connection.CreateCommand();
                command.Transaction = tx;
                Add(command, "p", pieceCid);
                for (var i = 0; i < rows; i++)
                {
                    var block = blocks[at + i];
                    sql.Append(i == 0 ? "" : ", ").Append($"(@p, @m{i}, @c{i}, @o{i}, @l{i})");
                    Add(command, $"m{i}", block.Multihash);
                    Add(command, $"c{i}", unchecked((long)block.Codec));
                    Add(command, $"o{i}", block.Offset);
                    Add(command, $"l{i}", block.Length);
                }

                sql.Append(" ON CONFLICT (PieceCid, Multihash) DO NOTHING");
                command.CommandText = sql.ToString();
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
        }
    }

    /// <summary>The pieces holding a block, by its multihash bytes (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<BlockLocation>> FindAsync(byte[] multihash, int limit = 16, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT PieceCid, Codec, BlockOffset, BlockLength FROM {Table} WHERE Multihash = @m ORDER BY PieceCid LIMIT {Math.Max(1, limit)}",
            ("m", multihash));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new List<BlockLocation>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new BlockLocation(reader.GetString(0), unchecked((ulong)reader.GetInt64(1)), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return result;
    }

    /// <summary>A block of one piece by its multihash bytes, or null.</summary>
    public async Task<PieceBlock?> FindInPieceAsync(string pieceCid, byte[] multihash, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT Codec, BlockOffset, BlockLength FROM {Table} WHERE PieceCid = @p AND Multihash = @m", ("p", pieceCid), ("m", multihash));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new PieceBlock(multihash, unchecked((ulong)reader.GetInt64(0)), reader.GetInt64(1), reader.GetInt64(2))
            : null;
    }

    /// <summary>Every block of a piece in payload order.</summary>
    public async IAsyncEnumerable<PieceBlock> BlocksAsync(string pieceCid, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection,
            $"SELECT Multihash, Codec, BlockOffset, BlockLength FROM {Table} WHERE PieceCid = @p ORDER BY BlockOffset", ("p", pieceCid));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new PieceBlock((byte[])reader.GetValue(0), unchecked((ulong)reader.GetInt64(1)), reader.GetInt64(2), reader.GetInt64(3));
        }
    }

    /// <summary>How many blocks of a piece are recorded.</summary>
    public async Task<long> CountAsync(string pieceCid, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT COUNT(*) FROM {Table} WHERE PieceCid = @p", ("p", pieceCid));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = connect();
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (!_schemaReady)
            {
                await EnsureSchemaAsync(connection, cancellationToken);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task EnsureSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            var (text, bytes) = dialect == PieceStoreDialect.Sqlite ? ("TEXT", "BLOB") : ("VARCHAR(128)", "BYTEA");
            var without = dialect == PieceStoreDialect.Sqlite ? " WITHOUT ROWID" : "";
            string[] statements =
            [
                $"CREATE TABLE IF NOT EXISTS {Table} (PieceCid {text} NOT NULL, Multihash {bytes} NOT NULL, Codec BIGINT NOT NULL, " +
                $"BlockOffset BIGINT NOT NULL, BlockLength BIGINT NOT NULL, PRIMARY KEY (PieceCid, Multihash)){without}",
                $"CREATE INDEX IF NOT EXISTS {Table}ByMultihash ON {Table} (Multihash)",
            ];
            foreach (var sql in statements)
            {
                try
                {
                    await using var command = Command(connection, sql);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (DbException) when (dialect == PieceStoreDialect.PostgreSql)
                {
                    // Two silos creating the table at once: PostgreSQL's IF NOT EXISTS can still lose the race on its
                    // catalog; the other silo's statement did the work, which the retry confirms.
                    await using var retry = Command(connection, sql);
                    await retry.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            Add(command, name, value);
        }

        return command;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
