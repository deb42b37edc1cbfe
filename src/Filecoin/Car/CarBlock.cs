using Granary.Filecoin.Cids;

namespace Granary.Filecoin.Car;

/// <summary>A block read from a CAR: its CID, its data, and where its section starts in the CARv1 payload.</summary>
public sealed record CarBlock(Cid Cid, ReadOnlyMemory<byte> Data, long SectionOffset);
