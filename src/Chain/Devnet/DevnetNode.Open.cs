using System.Text.Json;
using Granary.Chain.Devnet.Storage;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Devnet;

// Opening: a new chain's genesis, or an existing chain's state, head and pending messages.
public sealed partial class DevnetNode
{
    private void CreateGenesis()
    {
        var tree = new StateTree();
        foreach (var (id, code) in (ReadOnlySpan<(ulong, ActorCode)>)[(SystemActors.System, ActorCode.System), (SystemActors.Init, ActorCode.Init),
            (SystemActors.Reward, ActorCode.Reward), (SystemActors.Cron, ActorCode.Cron), (SystemActors.Power, ActorCode.Power),
            (SystemActors.Market, ActorCode.Market), (SystemActors.BurntFunds, ActorCode.BurntFunds)])
        {
            tree.CreateSingleton(id, code);
        }

        tree.Get(SystemActors.Reward).Balance = TokenAmount.FromFil(500_000_000).AttoFil;
        var accounts = new List<(byte[] Key, TokenAmount Balance)> { (FaucetKey(_options.FaucetSeed), _options.FaucetBalance) };
        accounts.AddRange(_options.Genesis.Select(g => (g.PrivateKey, g.Balance)));
        foreach (var (key, balance) in accounts)
        {
            var address = _wallet.Import(key);
            if (tree.TryResolve(address, out _))
            {
                throw new ArgumentException($"genesis account {address} is listed twice (or is the faucet)");
            }

            if (balance < TokenAmount.Zero)
            {
                throw new ArgumentException($"genesis account {address} has a negative balance");
            }

            tree.Create(ActorCode.Account, address).Balance = balance.AttoFil;
        }

        tree.Journal.Clear();
        var rows = tree.Dirty.Order().Select(id => StateRows.ToRow(tree, tree.Get(id))).ToList();
        var stateRoot = BlockCodec.StateRoot(null, rows, [], [], []);
        var ticket = Blake2b.Hash256([.. "granary-devnet genesis ticket"u8, .. System.Text.Encoding.UTF8.GetBytes(_options.NetworkName)]);
        var header = new BlockHeader(Address.FromId(SystemActors.System), ticket, 0, (ulong)_clock.Now.ToUnixTimeSeconds(), stateRoot, BlockCodec.MessagesCid([]));
        var bytes = BlockCodec.Encode(header, new TipSetKey([]));
        var genesis = BlockCodec.Decode(bytes);
        _store.Commit(new BlockCommit(0, genesis.Key.Cids[0], bytes, stateRoot, [], rows, [], [], [], 0), new Dictionary<string, string>
        {
            ["network"] = _options.NetworkName,
            ["policy"] = JsonSerializer.Serialize(_options.Policy),
            ["faucet"] = FaucetAddress.ToString(),
        });
        tree.Dirty.Clear();
        _tree = tree;
        SetHead(genesis, stateRoot);
        DevnetLog.Created(_logger, _options.NetworkName, genesis.Key.Cids[0], FaucetAddress.ToString());
    }

    private void Reopen()
    {
        var network = _store.GetMeta("network");
        if (network != _options.NetworkName)
        {
            throw new ChainException($"the devnet database {_options.DatabasePath} holds network '{network}', not '{_options.NetworkName}'");
        }

        if (_store.GetMeta("policy") != JsonSerializer.Serialize(_options.Policy))
        {
            throw new ChainException($"the devnet database {_options.DatabasePath} was created with another chain policy: {_store.GetMeta("policy")}");
        }

        _tree = StateRows.Load(_store.LoadActors(), _store.LoadDeals());
        _wallet.Load();
        var head = _store.Head() ?? throw new ChainException("the devnet database has no blocks");
        SetHead(BlockCodec.Decode(head.Header), head.StateRoot);
        var pending = RestorePending();
        DevnetLog.Reopened(_logger, _options.NetworkName, _head.Height, pending);
    }

    // Pending messages survive a restart: verified again (in parallel) and re-admitted in their order.
    private int RestorePending()
    {
        var rows = _store.LoadPending();
        var prepared = new PreparedMessage?[rows.Count];
        var errors = new string?[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            try
            {
                var message = Filecoin.Chain.SignedMessage.FromCbor(rows[i].Signed);
                prepared[i] = Prepare(message) with { Signer = SignerOf(message.Message.From) };
            }
            catch (Exception e) when (e is FormatException or ChainException)
            {
                errors[i] = e.Message;
            }
        }

        Parallel.For(0, rows.Count, i =>
        {
            try
            {
                if (prepared[i] is { } p)
                {
                    Verify(p);
                }
            }
            catch (ChainException e)
            {
                prepared[i] = null;
                errors[i] = e.Message;
            }
        });

        var rejected = new List<long>();
        for (var i = 0; i < rows.Count; i++)
        {
            try
            {
                Admit(prepared[i] ?? throw new ChainException(errors[i]!), rows[i].Seq);
            }
            catch (ChainException e)
            {
                rejected.Add(rows[i].Seq);
                DevnetLog.Dropped(_logger, Filecoin.Cbor.DagCbor.CidOf(rows[i].Signed), e.Message);
            }
        }

        _store.RemovePending(rejected);
        return _pool.Count;
    }
}
