namespace Granary.Grains.Sealing;

/// <summary>Where an on-demand unseal of a sector stands.</summary>
public enum UnsealState
{
    /// <summary>The unseal is running (or queued on the worker pool); ask again.</summary>
    Running,

    /// <summary>An unsealed copy is declared in the sector index (written now or already there).</summary>
    Done,

    /// <summary>The unseal failed; <see cref="UnsealStatus.Message"/> says why. A later call tries again.</summary>
    Failed,
}
