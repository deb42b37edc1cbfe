namespace Granary.Filecoin.Car;

/// <summary>Bounds a CAR reader enforces so that hostile input cannot exhaust memory.</summary>
public sealed record CarLimits(int MaxHeaderBytes = 1 << 20, int MaxSectionBytes = 32 << 20, long MaxIndexBytes = 256L << 20)
{
    /// <summary>The defaults: 1 MiB header, 32 MiB sections (a block plus its CID), 256 MiB index.</summary>
    public static CarLimits Default { get; } = new();
}
