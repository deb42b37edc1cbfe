namespace Granary.Proofs.Graph;

/// <summary>
/// SplitMix64: a tiny, fast, well-mixed generator. The graph needs reproducible, well-spread choices,
/// not secrecy (its structure, not its seed, is what makes labeling sequential), so this serves where
/// Filecoin uses ChaCha8.
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    public static ulong Mix(ulong a, ulong b) => new SplitMix64(a ^ (b * 0xD1B54A32D192ED03)).Next();
}
