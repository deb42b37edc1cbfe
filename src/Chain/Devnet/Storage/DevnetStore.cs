using Granary.Chain.Model;
using Granary.Filecoin.Cids;
using Microsoft.Data.Sqlite;

namespace Granary.Chain.Devnet.Storage;

/// <summary>
/// The devnet's SQLite file (WAL, synchronous=NORMAL): meta, blocks, messages with receipts, actors, deals,
/// wallet keys and pending messages. A block is written in one transaction with prepared statements, so a
/// crash leaves the chain at the last committed block with its pending messages. Not thread-safe: the node
/// serializes access.
/// </summary>
internal sealed class DevnetStore : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertBlock;
    private readonly SqliteCommand _insertMessage;
    private readonly SqliteCommand _upsertActor;
    private readonly SqliteCommand _deleteActor;
    private readonly SqliteCommand _upsertDeal;
    private readonly SqliteCommand _deleteDeal;
    private readonly SqliteCommand _deletePending;
    private readonly SqliteCommand _insertPending;
    private readonly SqliteCommand _findMessage;

    public DevnetStore(string path)
    {
        var created = !File.Exists(path);
        if (created)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            using (File.Create(path))
            {
            }

            if (!OperatingSystem.IsWindows())
            {
                // The file holds wallet private keys.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;");
        Execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS blocks (height INTEGER PRIMARY KEY, cid BLOB NOT NULL UNIQUE, header BLOB NOT NULL, state_root BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS messages (cid BLOB PRIMARY KEY, message_cid BLOB NOT NULL, height INTEGER NOT NULL, idx INTEGER NOT NULL,
                signed BLOB NOT NULL, exit_code INTEGER NOT NULL, ret BLOB NOT NULL, gas_used INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS messages_by_message_cid ON messages (message_cid);
            CREATE TABLE IF NOT EXISTS actors (id INTEGER PRIMARY KEY, robust BLOB, code INTEGER NOT NULL, balance BLOB NOT NULL, nonce INTEGER NOT NULL, state TEXT);
            CREATE TABLE IF NOT EXISTS deals (id INTEGER PRIMARY KEY, proposal BLOB NOT NULL, client INTEGER NOT NULL, provider INTEGER NOT NULL,
                sector INTEGER NOT NULL, start_epoch INTEGER NOT NULL, last_updated INTEGER NOT NULL, slash_epoch INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS wallet (address TEXT PRIMARY KEY, key_type INTEGER NOT NULL, private_key BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, cid BLOB NOT NULL UNIQUE, signed BLOB NOT NULL);
            """);
        var version = GetMeta("schema");
        if (version is null)
        {
            SetMeta("schema", SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (version != SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new ChainException($"devnet database {path} has schema {version}; this build reads schema {SchemaVersion}");
        }

        _insertBlock = Prepare("INSERT INTO blocks (height, cid, header, state_root) VALUES ($h, $c, $b, $r)", "$h", "$c", "$b", "$r");
        _insertMessage = Prepare("INSERT OR REPLACE INTO messages (cid, message_cid, height, idx, signed, exit_code, ret, gas_used) VALUES ($c, $m, $h, $i, $s, $e, $r, $g)",
            "$c", "$m", "$h", "$i", "$s", "$e", "$r", "$g");
        _upsertActor = Prepare("INSERT OR REPLACE INTO actors (id, robust, code, balance, nonce, state) VALUES ($i, $a, $c, $b, $n, $s)", "$i", "$a", "$c", "$b", "$n", "$s");
        _deleteActor = Prepare("DELETE FROM actors WHERE id = $i", "$i");
        _upsertDeal = Prepare("INSERT OR REPLACE INTO deals (id, proposal, client, provider, sector, start_epoch, last_updated, slash_epoch) VALUES ($i, $p, $c, $v, $s, $t, $u, $x)",
            "$i", "$p", "$c", "$v", "$s", "$t", "$u", "$x");
        _deleteDeal = Prepare("DELETE FROM deals WHERE id = $i", "$i");
        _deletePending = Prepare("DELETE FROM pending WHERE seq <= $s", "$s");
        _insertPending = Prepare("INSERT INTO pending (cid, signed) VALUES ($c, $s) RETURNING seq", "$c", "$s");
        _findMessage = Prepare("SELECT height, exit_code, ret, gas_used, cid FROM messages WHERE cid = $c OR message_cid = $c LIMIT 1", "$c");
    }

    /// <summary>True if the database has no chain yet.</summary>
    public bool IsEmpty => Scalar("SELECT COUNT(*) FROM blocks") is long n && n == 0;

    public string? GetMeta(string key)
    {
        using var cmd = Command("SELECT value FROM meta WHERE key = $k");
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value)
    {
        using var cmd = Command("INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)");
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Writes a block and everything it changed, atomically.</summary>
    public void Commit(BlockCommit block, IReadOnlyDictionary<string, string>? meta = null)
    {
        using var tx = _connection.BeginTransaction();
        foreach (var cmd in (SqliteCommand[])[_insertBlock, _insertMessage, _upsertActor, _deleteActor, _upsertDeal, _deleteDeal, _deletePending])
        {
            cmd.Transaction = tx;
        }

        Run(_insertBlock, block.Height, block.BlockCid.ToBytes(), block.Header, block.StateRoot.ToBytes());
        for (var i = 0; i < block.Messages.Count; i++)
        {
            var m = block.Messages[i];
            Run(_insertMessage, m.SignedCid.ToBytes(), m.MessageCid.ToBytes(), block.Height, i, m.Signed, m.Receipt.ExitCode, m.Receipt.Return, m.Receipt.GasUsed);
        }

        foreach (var a in block.Actors)
        {
            Run(_upsertActor, (long)a.Id, a.Robust is null ? DBNull.Value : a.Robust, (long)a.Code, a.Balance, (long)a.Nonce, a.State is null ? DBNull.Value : a.State);
        }

        foreach (var id in block.RemovedActors)
        {
            Run(_deleteActor, (long)id);
        }

        foreach (var d in block.Deals)
        {
            Run(_upsertDeal, (long)d.Id, d.Proposal, (long)d.Client, (long)d.Provider, (long)d.State.SectorNumber, d.State.SectorStartEpoch,
                d.State.LastUpdatedEpoch, d.State.SlashEpoch);
        }

        foreach (var id in block.RemovedDeals)
        {
            Run(_deleteDeal, (long)id);
        }

        if (block.PendingThroughSeq > 0)
        {
            Run(_deletePending, block.PendingThroughSeq);
        }

        foreach (var (key, value) in meta ?? new Dictionary<string, string>())
        {
            using var cmd = Command("INSERT OR REPLACE INTO meta (key, value) VALUES ($k, $v)");
            cmd.Transaction = tx;
            cmd.Parameters.AddWithValue("$k", key);
            cmd.Parameters.AddWithValue("$v", value);
            cmd.ExecuteNonQuery();
        }

        tx.Commit();
        foreach (var cmd in (SqliteCommand[])[_insertBlock, _insertMessage, _upsertActor, _deleteActor, _upsertDeal, _deleteDeal, _deletePending])
        {
            cmd.Transaction = null;
        }
    }

    /// <summary>Stores a pending message; its sequence number.</summary>
    public long AddPending(Cid cid, byte[] signed) => (long)Run(_insertPending, cid.ToBytes(), signed, scalar: true)!;

    /// <summary>Removes pending messages that will never land (they failed checks after a restart).</summary>
    public void RemovePending(IEnumerable<long> seqs)
    {
        using var cmd = Command("DELETE FROM pending WHERE seq = $s");
        var p = cmd.Parameters.Add("$s", SqliteType.Integer);
        foreach (var seq in seqs)
        {
            p.Value = seq;
            cmd.ExecuteNonQuery();
        }
    }

    public List<PendingRow> LoadPending()
    {
        using var cmd = Command("SELECT seq, signed FROM pending ORDER BY seq");
        using var reader = cmd.ExecuteReader();
        var rows = new List<PendingRow>();
        while (reader.Read())
        {
            rows.Add(new PendingRow(reader.GetInt64(0), (byte[])reader[1]));
        }

        return rows;
    }

    public List<ActorRow> LoadActors()
    {
        using var cmd = Command("SELECT id, robust, code, balance, nonce, state FROM actors ORDER BY id");
        using var reader = cmd.ExecuteReader();
        var rows = new List<ActorRow>();
        while (reader.Read())
        {
            rows.Add(new ActorRow((ulong)reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader[1], (ActorCode)reader.GetInt64(2),
                (byte[])reader[3], (ulong)reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return rows;
    }

    public List<DealRow> LoadDeals()
    {
        using var cmd = Command("SELECT id, proposal, client, provider, sector, start_epoch, last_updated, slash_epoch FROM deals ORDER BY id");
        using var reader = cmd.ExecuteReader();
        var rows = new List<DealRow>();
        while (reader.Read())
        {
            rows.Add(new DealRow((ulong)reader.GetInt64(0), (byte[])reader[1], (ulong)reader.GetInt64(2), (ulong)reader.GetInt64(3),
                new DealState((ulong)reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7))));
        }

        return rows;
    }

    /// <summary>The block at <paramref name="height"/>, or null.</summary>
    public BlockRow? BlockAt(long height)
    {
        using var cmd = Command("SELECT height, header, state_root FROM blocks WHERE height = $h");
        cmd.Parameters.AddWithValue("$h", height);
        return ReadBlock(cmd);
    }

    /// <summary>The block named <paramref name="cid"/>, or null.</summary>
    public BlockRow? BlockByCid(Cid cid)
    {
        using var cmd = Command("SELECT height, header, state_root FROM blocks WHERE cid = $c");
        cmd.Parameters.AddWithValue("$c", cid.ToBytes());
        return ReadBlock(cmd);
    }

    /// <summary>The highest block.</summary>
    public BlockRow? Head()
    {
        using var cmd = Command("SELECT height, header, state_root FROM blocks ORDER BY height DESC LIMIT 1");
        return ReadBlock(cmd);
    }

    /// <summary>Where a message (by signed or unsigned CID) landed: its height, receipt and signed CID.</summary>
    public (long Height, MessageReceipt Receipt, Cid SignedCid)? FindMessage(Cid cid)
    {
        _findMessage.Parameters[0].Value = cid.ToBytes();
        using var reader = _findMessage.ExecuteReader();
        return reader.Read()
            ? (reader.GetInt64(0), new MessageReceipt(reader.GetInt64(1), (byte[])reader[2], reader.GetInt64(3)), Cid.FromBytes((byte[])reader[4]))
            : null;
    }

    public void AddWalletKey(string address, int type, byte[] privateKey)
    {
        using var cmd = Command("INSERT OR IGNORE INTO wallet (address, key_type, private_key) VALUES ($a, $t, $k)");
        cmd.Parameters.AddWithValue("$a", address);
        cmd.Parameters.AddWithValue("$t", type);
        cmd.Parameters.AddWithValue("$k", privateKey);
        cmd.ExecuteNonQuery();
    }

    public List<(string Address, byte[] PrivateKey)> LoadWallet()
    {
        using var cmd = Command("SELECT address, private_key FROM wallet");
        using var reader = cmd.ExecuteReader();
        var keys = new List<(string, byte[])>();
        while (reader.Read())
        {
            keys.Add((reader.GetString(0), (byte[])reader[1]));
        }

        return keys;
    }

    public void Dispose()
    {
        foreach (var cmd in (SqliteCommand[])[_insertBlock, _insertMessage, _upsertActor, _deleteActor, _upsertDeal, _deleteDeal, _deletePending, _insertPending, _findMessage])
        {
            cmd.Dispose();
        }

        _connection.Dispose();
    }

    private static BlockRow? ReadBlock(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? new BlockRow(reader.GetInt64(0), (byte[])reader[1], Cid.FromBytes((byte[])reader[2])) : null;
    }

    private SqliteCommand Command(string sql)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd;
    }

    private SqliteCommand Prepare(string sql, params string[] names)
    {
        var cmd = Command(sql);
        foreach (var name in names)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        cmd.Prepare();
        return cmd;
    }

    private static object? Run(SqliteCommand cmd, params object[] values) => Run(cmd, values, false);

    private static object? Run(SqliteCommand cmd, object a, object b, bool scalar) => Run(cmd, [a, b], scalar);

    private static object? Run(SqliteCommand cmd, object[] values, bool scalar)
    {
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i];
        }

        return scalar ? cmd.ExecuteScalar() : cmd.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var cmd = Command(sql);
        return cmd.ExecuteScalar();
    }
}
