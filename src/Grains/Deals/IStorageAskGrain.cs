namespace Granary.Grains.Deals;

/// <summary>
/// A miner's storage ask (key: the miner address), on mining silos, where the worker key is: the prices and piece
/// limits deals are checked against, and the signed ask <c>/fil/storage/ask/1.1.0</c> answers with. Until an ask is
/// set it is Boost's default, fixed at its first read.
/// </summary>
[Alias("granary.IStorageAskGrain")]
public interface IStorageAskGrain : IGrainWithStringKey
{
    /// <summary>The current ask.</summary>
    /// <exception cref="DealmakingException">Not a miner address, or the chain cannot be reached.</exception>
    [Alias("GetAsk")]
    Task<StorageAsk> GetAsk();

    /// <summary>The current ask, signed now with the miner's worker key.</summary>
    /// <exception cref="DealmakingException">This silo has no key for the worker, or the chain cannot be reached.</exception>
    [Alias("GetSignedAsk")]
    [ResponseTimeout("00:02:00")]
    Task<SignedAsk> GetSignedAsk();

    /// <summary>Replaces the ask (next sequence number, timestamp the current epoch), persisted before returning; the signed result.</summary>
    /// <exception cref="DealmakingException">The settings are not valid, or signing failed.</exception>
    [Alias("SetAsk")]
    [ResponseTimeout("00:02:00")]
    Task<SignedAsk> SetAsk(AskSettings settings);
}
