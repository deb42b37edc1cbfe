namespace Granary.Silo.Backup;

/// <summary>What a backup wrote.</summary>
/// <param name="Path">The file.</param>
/// <param name="Header">Its header (kind, miner, counts).</param>
/// <param name="Sha256">The checksum at its end, hex.</param>
/// <param name="Bytes">Its size.</param>
public sealed record BackupResult(string Path, BackupHeader Header, string Sha256, long Bytes);
