using System.Numerics;
using Granary.Chain.Model;

namespace Granary.Chain.Devnet;

/// <summary>What an actor method sees: the state, the epoch, who called with what value and parameters.</summary>
internal sealed class CallContext
{
    public required StateTree Tree { get; init; }

    public required ChainPolicy Policy { get; init; }

    /// <summary>The epoch being mined.</summary>
    public required long Epoch { get; init; }

    /// <summary>The message's sender (an account).</summary>
    public required ActorRecord Caller { get; init; }

    public required ActorRecord Receiver { get; init; }

    /// <summary>The value sent (already moved to the receiver).</summary>
    public required BigInteger Value { get; init; }

    public required byte[] Params { get; init; }

    /// <summary>The sending message's nonce (for new actors' robust addresses).</summary>
    public required ulong MessageNonce { get; init; }

    public required DevnetRandomness Randomness { get; init; }

    public Journal Journal => Tree.Journal;

    /// <summary>Refuses unless the caller is one of <paramref name="allowed"/> (exit code 18).</summary>
    public void RequireCaller(IEnumerable<ulong> allowed, string what)
    {
        if (!allowed.Contains(Caller.Id))
        {
            throw new ActorException(ExitCode.ErrForbidden, $"{Caller.IdAddress} may not {what}");
        }
    }
}
