namespace Granary.Silo.Backup;

/// <summary>
/// What the backup parser accepts: a record longer than <see cref="MaxRecordBytes"/> or a file declaring more than
/// <see cref="MaxRecords"/> records is refused before anything is allocated for it.
/// </summary>
/// <param name="MaxHeaderBytes">Longest header item.</param>
/// <param name="MaxRecordBytes">Longest record item (a grain state, a chunk of the chain file, a batch of block rows).</param>
/// <param name="MaxRecords">Most records one file may declare.</param>
public sealed record BackupLimits(int MaxHeaderBytes, int MaxRecordBytes, long MaxRecords)
{
    /// <summary>The limits every command uses: 64 KiB header, 64 MiB records, 100 million records.</summary>
    public static BackupLimits Default { get; } = new(64 << 10, 64 << 20, 100_000_000);
}
