using System.CommandLine;

namespace Granary.Silo.Cli;

/// <summary>Options shared by several verbs.</summary>
internal static class CliOptions
{
    /// <summary><c>--repo DIR</c>: the silo repo (else <c>GRANARY_PATH</c>, else <c>~/.granary</c>).</summary>
    public static readonly Option<string?> Repo = new("--repo")
    {
        Description = "Silo repo directory (default: $GRANARY_PATH, else ~/.granary)",
        Recursive = true,
    };

    /// <summary><c>--json</c>: machine-readable output.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };
}
