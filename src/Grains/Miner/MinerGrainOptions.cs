namespace Granary.Grains.Miner;

/// <summary>How the miner grain waits for its messages and pays for them.</summary>
public sealed class MinerGrainOptions
{
    /// <summary>Longest a sending call waits for its message to land (at most <see cref="MaxMessageTimeout"/>).</summary>
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Epochs on top of the including tipset before a message counts as landed.</summary>
    public ulong Confidence { get; set; } = 1;

    /// <summary>Longest one pending message is waited for when it is re-checked at the start of a call.</summary>
    public TimeSpan PendingCheckTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most messages pending at once; further sends are refused until some land.</summary>
    public int MaxPending { get; set; } = 32;

    /// <summary>The network prefix addresses are written with in the mirror: <c>t</c> (test networks and the devnet) or <c>f</c>.</summary>
    public char AddressNetwork { get; set; } = 't';

    /// <summary>Gas for the messages.</summary>
    public MessageGas Gas { get; set; } = MessageGas.Default;

    /// <summary>
    /// The ceiling of <see cref="MessageTimeout"/>: the sending methods' response timeout (ten minutes) less a
    /// margin, so the grain's own timeout, with the CID in its message, always fires first.
    /// </summary>
    public static readonly TimeSpan MaxMessageTimeout = TimeSpan.FromMinutes(9);
}
