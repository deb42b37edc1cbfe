namespace Granary.Silo.Hosting;

/// <summary>Where a markets silo's start-up rebuild of the block index is (<see cref="PieceIndexRebuild"/>).</summary>
/// <param name="State"><c>not started</c>, <c>checking</c>, <c>rebuilding</c>, <c>done</c> or <c>failed</c>.</param>
/// <param name="Checked">Pieces of active deals checked.</param>
/// <param name="Pieces">Pieces found without block rows, to rebuild.</param>
/// <param name="Done">Pieces rebuilt.</param>
/// <param name="Failed">Pieces that could not be rebuilt (see <paramref name="Error"/> and <c>granary pieces info</c>).</param>
/// <param name="Current">The piece being indexed now, or empty.</param>
/// <param name="Error">The last error, or empty.</param>
/// <param name="StartedAt">When the check started.</param>
/// <param name="FinishedAt">When it finished, or null.</param>
public sealed record PieceIndexRebuildProgress(
    string State, int Checked, int Pieces, int Done, int Failed, string Current, string Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    /// <summary>Before the silo started the check.</summary>
    public static PieceIndexRebuildProgress NotStarted { get; } = new("not started", 0, 0, 0, 0, "", "", null, null);
}
