namespace Granary.Grains.Deals;

/// <summary>
/// <c>[Dealmaking]</c>: the limits under which deals are accepted (back-pressure) and the publishing cadence. Read by
/// the deal grains on markets silos and by the gateway's transfer puller.
/// </summary>
public sealed class DealmakingOptions
{
    /// <summary>Filecoin's deal duration bounds (builtin-actors <c>deal_duration_bounds</c>): 180 to 1278 days of 2880 epochs.</summary>
    public const long FilecoinMinDealDuration = 180L * 2880;

    /// <inheritdoc cref="FilecoinMinDealDuration" />
    public const long FilecoinMaxDealDuration = 1278L * 2880;

    /// <summary>The furthest past the current epoch a deal may end (a sector's maximum expiration extension).</summary>
    public const long MaxEndEpochAhead = 1278L * 2880;

    /// <summary>The miner this silo's gateway takes deals for (<c>t01000</c>); empty: none (every proposal is refused).</summary>
    public string Miner { get; set; } = "";

    /// <summary>Most bytes of deal data waiting in staging (reserved at acceptance until the piece is in a sector); 0: no limit.</summary>
    public long MaxStagingBytes { get; set; } = 64L << 30;

    /// <summary>Most deals whose data is being (or waiting to be) pulled at once; 0: no limit.</summary>
    public int MaxConcurrentTransfers { get; set; } = 20;

    /// <summary>
    /// Most sectors that may be sealing for deals at once (lotus's <c>MaxSealingSectorsForDeals</c>): the deal sectors
    /// open or sealing (from <c>WaitDeals</c> until <c>Proving</c>) plus the sectors the deals accepted but not yet in a
    /// sector still need. A proposal that would go over it is refused; 0: no limit (the default, as in lotus: how many
    /// sectors a cluster seals in time depends on its hardware). With it set, a deal must also start after the longest
    /// <c>WaitDeals</c>→<c>Proving</c> time of the last few deal sectors when that is longer than <see cref="ExpectedSealDuration"/>.
    /// </summary>
    public int MaxSealingSectorsForDeals { get; set; }

    /// <summary>Most deals in one <c>PublishStorageDeals</c> message (Boost's <c>MaxDealsPerPublishMsg</c>).</summary>
    public int MaxDealsPerPublishMsg { get; set; } = 8;

    /// <summary>Longest a transferred deal waits for others to fill its publish message (Boost's <c>PublishMsgPeriod</c>).</summary>
    public TimeSpan PublishMsgPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Epochs between now and a deal's start the sealing needs at least (Boost's <c>StartEpochSealingBuffer</c>).</summary>
    public long StartEpochSealingBuffer { get; set; } = 480;

    /// <summary>How long sealing a deal's sector takes (lotus's <c>ExpectedSealDuration</c>): a deal that starts sooner is refused.</summary>
    public TimeSpan ExpectedSealDuration { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Seconds per epoch of the chain, to turn <see cref="ExpectedSealDuration"/> into epochs.</summary>
    public TimeSpan BlockDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether transfer URLs may point at loopback, link-local or private addresses (the SSRF guard; off by default).</summary>
    public bool AllowPrivateTransferUrls { get; set; }

    /// <summary>Shortest deal accepted, in epochs.</summary>
    public long MinDealDuration { get; set; } = FilecoinMinDealDuration;

    /// <summary>Longest deal accepted, in epochs.</summary>
    public long MaxDealDuration { get; set; } = FilecoinMaxDealDuration;

    /// <summary>The network prefix addresses are written with: <c>t</c> (test networks and the devnet) or <c>f</c>.</summary>
    public char AddressNetwork { get; set; } = 't';

    /// <summary><see cref="ExpectedSealDuration"/> in epochs (rounded up).</summary>
    public long ExpectedSealEpochs => BlockDelay <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(ExpectedSealDuration / BlockDelay);
}
