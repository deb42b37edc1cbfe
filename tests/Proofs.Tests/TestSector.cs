using Granary.Proofs.Seal;

namespace Granary.Proofs.Tests;

/// <summary>A sector sealed in a temp directory: random Fr32-valid data through PreCommit1 and PreCommit2.</summary>
public sealed class TestSector : IDisposable
{
    public TestSector(SealProofType type, int seed = 1)
    {
        Type = type;
        Sealer = new Sealer(type);
        Root = Directory.CreateTempSubdirectory("granary-seal-").FullName;
        Paths = SectorPaths.Under(Root, 1000, SectorNumber);
        var random = new Random(seed);
        Data = new byte[type.SectorSize];
        random.NextBytes(Data);
        for (var i = 31; i < Data.Length; i += 32)
        {
            Data[i] &= 0x3F; // every 32-byte node below 2^254, as Fr32 padding guarantees
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Paths.Unsealed)!);
        File.WriteAllBytes(Paths.Unsealed, Data);
        random.NextBytes(ProverId);
        random.NextBytes(Ticket);
        random.NextBytes(Seed);
        Ticket[31] &= 0x3F;
        Pc1 = Sealer.PreCommit1(Paths, ProverId, SectorNumber, Ticket);
        Pc2 = Sealer.PreCommit2(Paths, Pc1);
    }

    public const ulong SectorNumber = 42;
    public SealProofType Type { get; }
    public Sealer Sealer { get; }
    public string Root { get; }
    public SectorPaths Paths { get; }
    public byte[] Data { get; }
    public byte[] ProverId { get; } = new byte[32];
    public byte[] Ticket { get; } = new byte[32];
    public byte[] Seed { get; } = new byte[32];
    public PreCommit1Output Pc1 { get; }
    public PreCommit2Output Pc2 { get; }

    public SealVerifyInfo VerifyInfo => new(Type, ProverId, SectorNumber, Ticket, Seed, Pc1.CommD, Pc2.CommR);

    public byte[] Prove() => Sealer.Commit2(Sealer.Commit1(Paths, Pc1, Pc2, Seed));

    public long[] ChallengedNodes => Challenges.PoRep(Pc1.ReplicaId, Seed, Type.Nodes, Type.PoRepChallenges);

    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        var b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x01));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
