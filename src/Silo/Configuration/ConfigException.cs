namespace Granary.Silo.Configuration;

/// <summary>One thing wrong with a config file, with the line it is on (1-based; 0 when not tied to a line).</summary>
public sealed record ConfigProblem(string File, int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>A config file was refused; <see cref="Problems"/> lists every reason.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigProblem> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    /// <summary>Everything wrong with the file, in file order.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; } = problems;
}
