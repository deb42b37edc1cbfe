namespace Granary.Silo.Backup;

/// <summary>What an import merged.</summary>
/// <param name="Header">The file's header.</param>
/// <param name="Added">Rows that were new.</param>
/// <param name="Updated">Rows whose data differed and were replaced.</param>
/// <param name="Unchanged">Rows already equal.</param>
public sealed record ImportResult(BackupHeader Header, long Added, long Updated, long Unchanged);
