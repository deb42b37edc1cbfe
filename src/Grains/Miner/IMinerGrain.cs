using System.Numerics;

namespace Granary.Grains.Miner;

/// <summary>
/// The storage provider's miner actor, as the cluster sees it: one grain per miner address (<c>t01000</c>),
/// placed on silos with the mining subsystem. It mirrors the actor's on-chain info and sends the miner's
/// messages, signed with the worker key of the hosting silo's keystore, with their nonces managed here.
/// </summary>
/// <remarks>
/// The sending methods wait for the message to land (<see cref="MinerGrainOptions.MessageTimeout"/>); a message
/// that does not land in time fails the call with <see cref="MinerMessageTimeoutException"/> and stays pending,
/// re-checked on the next call. Their response timeout is raised to ten minutes for that wait.
/// </remarks>
[Alias("granary.IMinerGrain")]
public interface IMinerGrain : IGrainWithStringKey
{
    /// <summary>
    /// The mirrored miner info. With <paramref name="refresh"/> (or when nothing is mirrored yet) it is read from the
    /// chain first; pending messages are re-checked either way.
    /// </summary>
    /// <exception cref="MinerException">Not a miner, or the chain cannot be reached.</exception>
    [Alias("GetInfo")]
    [ResponseTimeout("00:02:00")]
    Task<MinerSnapshot> GetInfo(bool refresh);

    /// <summary>Sends <c>ChangePeerID</c> (miner method 4) with the markets node's peer id (its multihash bytes).</summary>
    /// <exception cref="MinerException">No worker key here, or the chain refused the message.</exception>
    /// <exception cref="MinerMessageFailedException">The message landed with a non-zero exit code.</exception>
    /// <exception cref="MinerMessageTimeoutException">The message did not land in time (it stays pending).</exception>
    [Alias("SetPeerId")]
    [ResponseTimeout("00:10:00")]
    Task<MinerReceipt> SetPeerId(byte[] peerId);

    /// <summary>Sends <c>ChangeMultiaddrs</c> (miner method 18) with binary multiaddrs (without a <c>/p2p</c> part).</summary>
    /// <inheritdoc cref="SetPeerId" path="/exception" />
    [Alias("SetMultiaddrs")]
    [ResponseTimeout("00:10:00")]
    Task<MinerReceipt> SetMultiaddrs(byte[][] multiaddrs);

    /// <summary>
    /// Sends any method to the miner actor from the worker: <paramref name="parameters"/> are the method's CBOR
    /// params, <paramref name="valueAttoFil"/> the value sent. Returns the receipt of a message that succeeded.
    /// </summary>
    /// <inheritdoc cref="SetPeerId" path="/exception" />
    [Alias("Send")]
    [ResponseTimeout("00:10:00")]
    Task<MinerReceipt> Send(ulong method, byte[] parameters, BigInteger valueAttoFil);

    /// <summary>
    /// Pushes a message from the worker to the actor <paramref name="to"/> (e.g. the market actor <c>t05</c>) and returns
    /// once the node took it and it is recorded as pending, without waiting for it to land (follow it with
    /// <see cref="CheckMessage"/>). Idempotent per <paramref name="key"/>: a key already used returns the message pushed
    /// under it (pending or landed) and pushes nothing, unless that message was dropped by the node; so a caller that
    /// persists its key before calling and calls again after a crash sends its message once.
    /// </summary>
    /// <exception cref="MinerException">No worker key here, too many pending messages, or the node refused the message.</exception>
    [Alias("Push")]
    [ResponseTimeout("00:02:00")]
    Task<PendingMinerMessage> Push(string key, string to, ulong method, byte[] parameters, BigInteger valueAttoFil);

    /// <summary>
    /// Where a message stands: landed (with its receipt, recorded), still pending, or dropped (the node's next nonce for
    /// its sender is not past the message's: it cannot land, and its key may be pushed again). Waits at most
    /// <paramref name="wait"/> (capped at a minute) for it to land.
    /// </summary>
    /// <exception cref="MinerException">The chain cannot be reached.</exception>
    [Alias("CheckMessage")]
    [ResponseTimeout("00:02:00")]
    Task<MinerMessageStatus> CheckMessage(string message, TimeSpan wait);
}
