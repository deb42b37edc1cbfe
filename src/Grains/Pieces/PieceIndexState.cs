namespace Granary.Grains.Pieces;

/// <summary>Whether a piece's payload has been indexed (its CAR blocks recorded with their offsets).</summary>
public enum PieceIndexState
{
    /// <summary>Never indexed.</summary>
    None = 0,

    /// <summary>Indexing is running (or was interrupted; indexing again starts over).</summary>
    Indexing = 1,

    /// <summary>Every block of the payload is in the block index.</summary>
    Indexed = 2,

    /// <summary>The payload could not be indexed (not a CAR, or no readable copy); see the error.</summary>
    Failed = 3,
}
