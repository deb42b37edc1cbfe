using Granary.Filecoin.Cids;

namespace Granary.Chain.Model;

/// <summary>The CIDs of a tipset's blocks, which name it.</summary>
public sealed record TipSetKey(IReadOnlyList<Cid> Cids)
{
    /// <inheritdoc />
    public bool Equals(TipSetKey? other) => other is not null && Cids.SequenceEqual(other.Cids);

    /// <inheritdoc />
    public override int GetHashCode() => Cids.Aggregate(0, (h, c) => HashCode.Combine(h, c));
}

/// <summary>
/// A tipset: the blocks of one epoch with a common parent. The devnet makes one block per epoch; a Lotus node
/// may give several.
/// </summary>
/// <param name="Key">The tipset's block CIDs.</param>
/// <param name="Height">Its epoch.</param>
/// <param name="Parents">The parent tipset's key (empty for genesis).</param>
/// <param name="Blocks">The block headers.</param>
public sealed record TipSet(TipSetKey Key, long Height, TipSetKey Parents, IReadOnlyList<BlockHeader> Blocks)
{
    /// <summary>When the tipset's epoch began (Unix seconds of its first block).</summary>
    public ulong Timestamp => Blocks.Count > 0 ? Blocks[0].Timestamp : 0;
}

/// <summary>The block header fields an SP reads.</summary>
/// <param name="Miner">The block's miner (its WinningPoSt won the epoch).</param>
/// <param name="Ticket">The VRF ticket (the devnet's is deterministic).</param>
/// <param name="Height">The epoch.</param>
/// <param name="Timestamp">Unix seconds.</param>
/// <param name="ParentStateRoot">The state root after the parent tipset's messages.</param>
/// <param name="Messages">The CID of the block's message list.</param>
public sealed record BlockHeader(Filecoin.Addresses.Address Miner, byte[] Ticket, long Height, ulong Timestamp, Cid ParentStateRoot, Cid Messages);

/// <summary>How a head change moves the chain.</summary>
public enum HeadChangeType
{
    /// <summary>The head when the subscription started.</summary>
    Current,

    /// <summary>A tipset added on top.</summary>
    Apply,

    /// <summary>A tipset taken off (reorg).</summary>
    Revert,
}

/// <summary>One head change, as Lotus's <c>ChainNotify</c> sends (<c>{"Type":"apply","Val":…}</c>).</summary>
public sealed record HeadChange(HeadChangeType Type, TipSet Value);
