namespace Granary.Grains.Miner;

/// <summary>
/// A miner message was pushed but did not land within <see cref="MinerGrainOptions.MessageTimeout"/>. It stays
/// pending: the grain checks it again on its next call, and it may still land.
/// </summary>
[GenerateSerializer, Alias("granary.MinerMessageTimeoutException")]
public sealed class MinerMessageTimeoutException : MinerException
{
    /// <summary>Creates the exception for the message <paramref name="cid"/>.</summary>
    public MinerMessageTimeoutException(string miner, ulong method, string cid, TimeSpan waited)
        : base($"miner {miner} method {MinerMethods.Name(method)} ({method}): message {cid} did not land within "
            + $"{waited.TotalSeconds:0.#} s; it stays pending and is checked again on the next call")
    {
        Method = method;
        Cid = cid;
    }

    /// <summary>The miner method.</summary>
    [Id(0)] public ulong Method { get; private set; }

    /// <summary>The message's CID.</summary>
    [Id(1)] public string Cid { get; private set; } = "";
}
