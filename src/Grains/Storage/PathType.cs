namespace Granary.Grains.Storage;

/// <summary>What a storage path is asked for (lotus's <c>PathType</c>): scratch space for sealing, or long-term storage.</summary>
public enum PathType
{
    /// <summary>A path with <c>CanSeal</c>: fast scratch space for the sealing pipeline.</summary>
    Sealing,

    /// <summary>A path with <c>CanStore</c>: long-term storage of finalized sectors that are proven.</summary>
    Storage,
}
