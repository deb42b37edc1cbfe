namespace Granary.Silo.Backup;

/// <summary>A restore or import refused before changing anything (wrong target, another miner's file, a running silo); one line.</summary>
public sealed class BackupRefusedException(string message, Exception? inner = null) : Exception(message, inner);
