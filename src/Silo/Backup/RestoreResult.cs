namespace Granary.Silo.Backup;

/// <summary>What a restore made.</summary>
/// <param name="Repo">The new repo.</param>
/// <param name="Header">The backup's header.</param>
/// <param name="Database">The database it filled (without secrets).</param>
/// <param name="Rows">Grain-state rows, reminders and block rows written.</param>
/// <param name="Files">Repo files written.</param>
public sealed record RestoreResult(string Repo, BackupHeader Header, string Database, long Rows, int Files);
