using System.Numerics;
using Granary.Chain.Devnet.Mining;
using Granary.Chain.Devnet.Market;
using Granary.Filecoin.Addresses;

namespace Granary.Chain.Devnet;

/// <summary>
/// The devnet's whole state in memory: actors by id and by robust address, the init actor's next id, miner
/// states and the market. Every change a message makes goes through here and is journaled (undone if the
/// message fails) and marked dirty (written to SQLite with the block).
/// </summary>
internal sealed class StateTree
{
    private readonly Dictionary<ulong, ActorRecord> _actors = [];
    private readonly Dictionary<Address, ulong> _byRobust = [];

    public Journal Journal { get; } = new();

    /// <summary>Actors changed since the last block was persisted.</summary>
    public HashSet<ulong> Dirty { get; } = [];

    /// <summary>The next id the init actor allocates.</summary>
    public ulong NextId { get; set; } = SystemActors.FirstNonSingletonId;

    public Dictionary<ulong, MinerState> Miners { get; } = [];

    public MarketState Market { get; set; } = new();

    public IEnumerable<ActorRecord> Actors => _actors.Values;

    public ActorRecord Get(ulong id) => _actors.TryGetValue(id, out var a) ? a : throw new InvalidOperationException($"actor f0{id} does not exist");

    public ActorRecord? Find(ulong id) => _actors.GetValueOrDefault(id);

    /// <summary>The actor id behind an address, if the chain knows it.</summary>
    public bool TryResolve(Address address, out ulong id)
    {
        if (address.Protocol == AddressProtocol.Id)
        {
            id = address.Id;
            return _actors.ContainsKey(id);
        }

        return _byRobust.TryGetValue(address, out id);
    }

    public ActorRecord? Find(Address address) => TryResolve(address, out var id) ? _actors[id] : null;

    /// <summary>Loads an actor as persisted (no journal).</summary>
    public void Load(ActorRecord actor)
    {
        _actors[actor.Id] = actor;
        if (actor.Robust is { } robust)
        {
            _byRobust[robust] = actor.Id;
        }
    }

    /// <summary>Creates an actor with a fixed id (genesis singletons).</summary>
    public ActorRecord CreateSingleton(ulong id, ActorCode code)
    {
        var actor = new ActorRecord(id, code, null);
        Load(actor);
        Dirty.Add(id);
        return actor;
    }

    /// <summary>The init actor's job: a new actor at the next id.</summary>
    public ActorRecord Create(ActorCode code, Address? robust)
    {
        var actor = new ActorRecord(NextId, code, robust);
        NextId++;
        Load(actor);
        Dirty.Add(actor.Id);
        Dirty.Add(SystemActors.Init);
        Journal.Record(() =>
        {
            _actors.Remove(actor.Id);
            if (robust is not null)
            {
                _byRobust.Remove(robust);
            }

            NextId--;
        });
        return actor;
    }

    /// <summary>Changes a balance (journaled).</summary>
    public void Credit(ActorRecord actor, BigInteger delta)
    {
        if (delta.IsZero)
        {
            return;
        }

        actor.Balance += delta;
        Dirty.Add(actor.Id);
        Journal.Record(() => actor.Balance -= delta);
    }

    /// <summary>Moves funds between actors (journaled).</summary>
    /// <exception cref="ActorException">The sender's balance is short (exit code 6).</exception>
    public void Transfer(ActorRecord from, ActorRecord to, BigInteger amount)
    {
        if (amount.Sign < 0)
        {
            throw new ActorException(ExitCode.ErrIllegalArgument, $"negative transfer {amount}");
        }

        if (from.Balance < amount)
        {
            throw new ActorException(ExitCode.SysErrInsufficientFunds,
                $"{from.IdAddress} has {new Filecoin.Tokens.TokenAmount(from.Balance)}, cannot send {new Filecoin.Tokens.TokenAmount(amount)}");
        }

        if (from.Id == to.Id)
        {
            return;
        }

        Credit(from, -amount);
        Credit(to, amount);
    }

    /// <summary>Replaces a miner's state (journaled): methods work on a copy and install it only if they succeed.</summary>
    public void SetMiner(ulong id, MinerState state)
    {
        var old = Miners.GetValueOrDefault(id);
        Miners[id] = state;
        Dirty.Add(id);
        Journal.Record(() =>
        {
            if (old is null)
            {
                Miners.Remove(id);
            }
            else
            {
                Miners[id] = old;
            }
        });
    }

    /// <summary>The key address of an account (its robust address), or null.</summary>
    public Address? KeyOf(ulong id) => Find(id) is { Code: ActorCode.Account } a ? a.Robust : null;
}
