namespace Granary.Silo.Backup;

/// <summary>A backup file that is not one, is damaged, or breaks a parser limit; the message says which, on one line.</summary>
public sealed class BackupFormatException(string message, Exception? inner = null) : Exception(message, inner);
