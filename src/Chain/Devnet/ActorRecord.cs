using System.Numerics;
using Granary.Filecoin.Addresses;

namespace Granary.Chain.Devnet;

/// <summary>One actor: its id, its robust address (f1 key of an account, f2 of a miner), code, balance and nonce.</summary>
internal sealed class ActorRecord(ulong id, ActorCode code, Address? robust)
{
    public ulong Id { get; } = id;

    public ActorCode Code { get; } = code;

    public Address? Robust { get; } = robust;

    public BigInteger Balance { get; set; }

    public ulong Nonce { get; set; }

    public Address IdAddress => Address.FromId(Id);
}
