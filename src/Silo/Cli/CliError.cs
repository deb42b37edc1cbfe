namespace Granary.Silo.Cli;

/// <summary>A failure to report on one line (no stack trace) with a non-zero exit code.</summary>
public sealed class CliError(string message, int exitCode = 1) : Exception(message)
{
    /// <summary>The process exit code.</summary>
    public int ExitCode { get; } = exitCode;
}
