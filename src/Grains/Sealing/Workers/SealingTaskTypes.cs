namespace Granary.Grains.Sealing.Workers;

/// <summary>Lotus's names, short names and scheduling order for <see cref="SealingTaskType"/>.</summary>
public static class SealingTaskTypes
{
    /// <summary>Every task type, in pipeline order.</summary>
    public static IReadOnlyList<SealingTaskType> All { get; } = Enum.GetValues<SealingTaskType>();

    /// <summary>The lotus task type name, e.g. <c>seal/v0/precommit/1</c> (lotus storage/sealer/sealtasks/task.go).</summary>
    public static string Name(this SealingTaskType type) => type switch
    {
        SealingTaskType.AddPiece => "seal/v0/addpiece",
        SealingTaskType.PreCommit1 => "seal/v0/precommit/1",
        SealingTaskType.PreCommit2 => "seal/v0/precommit/2",
        SealingTaskType.Commit1 => "seal/v0/commit/1",
        SealingTaskType.Commit2 => "seal/v0/commit/2",
        SealingTaskType.Finalize => "seal/v0/finalize",
        SealingTaskType.Unseal => "seal/v0/unseal",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Lotus's short name, as <c>lotus-miner sealing jobs</c> prints it: AP, PC1, PC2, C1, C2, FIN, UNS.</summary>
    public static string Short(this SealingTaskType type) => type switch
    {
        SealingTaskType.AddPiece => "AP",
        SealingTaskType.PreCommit1 => "PC1",
        SealingTaskType.PreCommit2 => "PC2",
        SealingTaskType.Commit1 => "C1",
        SealingTaskType.Commit2 => "C2",
        SealingTaskType.Finalize => "FIN",
        SealingTaskType.Unseal => "UNS",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>
    /// Scheduling order: lower runs first. These are lotus's <c>sealtasks.order</c> values, which put later
    /// stages ahead of earlier ones (Finalize −3, Unseal 1, C1 2, C2 3, PC2 4, PC1 5, AddPiece 9) so sectors
    /// already deep in the pipeline drain before new ones start.
    /// </summary>
    public static int Priority(this SealingTaskType type) => type switch
    {
        SealingTaskType.Finalize => -3,
        SealingTaskType.Unseal => 1,
        SealingTaskType.Commit1 => 2,
        SealingTaskType.Commit2 => 3,
        SealingTaskType.PreCommit2 => 4,
        SealingTaskType.PreCommit1 => 5,
        SealingTaskType.AddPiece => 9,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Parses a lotus name (<c>seal/v0/precommit/1</c>), a short name (<c>PC1</c>) or the enum name (<c>PreCommit1</c>).</summary>
    public static bool TryParse(string text, out SealingTaskType type)
    {
        foreach (var candidate in All)
        {
            if (text == candidate.Name() || string.Equals(text, candidate.Short(), StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }
}
