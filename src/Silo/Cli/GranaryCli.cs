using System.CommandLine;

namespace Granary.Silo.Cli;

/// <summary>The <c>granary</c> command tree. Each verb lives in its own <c>*Command</c> file.</summary>
public static class GranaryCli
{
    /// <summary>Builds the root command with every verb attached.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("granary: a Filecoin storage provider built as one Orleans cluster.");
        return root;
    }
}
