namespace Granary.Silo.Backup;

/// <summary>What a backup file holds, named in its header.</summary>
public enum BackupKind
{
    /// <summary><c>granary backup</c>: everything a miner's repo and database hold (<c>full</c>).</summary>
    Full,

    /// <summary><c>granary market export-datastore</c>: deal metadata only — deals, asks, piece directory, block index (<c>markets</c>).</summary>
    Markets,
}
