namespace Granary.Grains.Sealing.Workers;

/// <summary>Whether a sector's scratch files (layers, trees, the replica before finalize) can still be used.</summary>
public enum ScratchState
{
    /// <summary>They are on this silo.</summary>
    Here,

    /// <summary>They are on another silo that is active: continue there.</summary>
    Alive,

    /// <summary>The silo holding them is not active, for less than <c>[Sealing] ScratchLostAfter</c>: wait for it.</summary>
    Gone,

    /// <summary>The silo holding them has been gone longer than <c>[Sealing] ScratchLostAfter</c>: restart the
    /// sector from its unsealed pieces on another sealing silo.</summary>
    Lost,
}
