using System.Security.Cryptography;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;
using Granary.Grains.Miner;
using Granary.Proofs;
using Granary.Silo.Repo;

namespace Granary.Silo.Chain;

/// <summary>
/// What <c>granary init</c> does, as lotus-miner init: makes the owner and worker secp256k1 keys in the repo's keystore
/// (kept if an earlier attempt made them, so a retry does not strand their funds), funds each that holds less than
/// half of <see cref="FundAmount"/>, sends the power actor's <c>CreateMiner</c> signed locally with the owner key
/// (the repo's libp2p peer id as the miner's peer id), waits for it and writes <c>REPO/miner.json</c>. Progress
/// lines go to <paramref name="progress"/>.
/// </summary>
/// <param name="chain">The chain the miner is created on.</param>
/// <param name="fund">Sends funds to an address; the message's CID.</param>
/// <param name="fundingSource">Where funds come from, for progress lines.</param>
/// <param name="progress">Where progress lines go (stderr).</param>
/// <param name="timeout">Longest each message may take to land.</param>
public sealed class MinerCreation(
    IChainNode chain, Func<Address, TokenAmount, CancellationToken, Task<Cid>> fund, string fundingSource, TextWriter progress, TimeSpan timeout)
{
    /// <summary>What the owner and the worker are each funded with.</summary>
    public static readonly TokenAmount FundAmount = TokenAmount.FromFil(100);

    /// <summary>Creates the miner for <paramref name="repo"/> with sectors of <paramref name="sealProof"/>.</summary>
    /// <param name="repo">The repo (locked by the caller, with no miner yet).</param>
    /// <param name="sealProof">The sector size's proof type (2 KiB or 8 MiB on the devnet).</param>
    /// <param name="chainName">What to record as the chain (<c>embedded</c> or the node's URL).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ChainException">The chain refused a message.</exception>
    /// <exception cref="TimeoutException">A message did not land in time.</exception>
    /// <exception cref="InvalidOperationException">A message landed with a non-zero exit code.</exception>
    public async Task<MinerFile> CreateAsync(GranaryRepo repo, SealProofType sealProof, string chainName, CancellationToken cancellationToken)
    {
        var ownerKey = Key(repo, GranaryRepo.OwnerKeyName);
        var workerKey = Key(repo, GranaryRepo.WorkerKeyName);
        var owner = Secp256k1.AddressOf(ownerKey);
        var worker = Secp256k1.AddressOf(workerKey);
        progress.WriteLine($"owner key {Text(owner)}, worker key {Text(worker)} (in {repo.KeystorePath})");

        var funding = new List<(string What, Cid Cid)>();
        foreach (var (role, address) in new[] { ("owner", owner), ("worker", worker) })
        {
            var balance = await chain.WalletBalance(address, cancellationToken);
            if (balance.AttoFil * 2 >= FundAmount.AttoFil)
            {
                progress.WriteLine($"{role} {Text(address)} already holds {balance}");
                continue;
            }

            progress.WriteLine($"funding {role} {Text(address)} with {FundAmount} from {fundingSource}");
            funding.Add(($"funding of the {role}", await fund(address, FundAmount, cancellationToken)));
        }

        foreach (var (what, cid) in funding)
        {
            Require(await WaitAsync(cid, what, cancellationToken), what);
        }

        var peerId = repo.Libp2pIdentity().PeerId;
        var parameters = new CreateMinerParams(owner, worker, sealProof.WindowPoStProofId + 5, peerId.Multihash.ToArray(), []).ToCbor();
        var nonce = await chain.MpoolGetNonce(owner, cancellationToken);
        var message = MessageGas.Default.Apply(new Message(0, Address.FromId(SystemActors.Power), owner, nonce, TokenAmount.Zero, 0,
            TokenAmount.Zero, TokenAmount.Zero, ActorMethods.Power.CreateMiner, parameters));
        var create = await chain.MpoolPush(SignedMessage.SignSecp256k1(message, ownerKey), cancellationToken);
        progress.WriteLine($"sent CreateMiner ({sealProof.Name} sectors, peer id {peerId}) as {create}");
        var landed = await WaitAsync(create, "CreateMiner", cancellationToken);
        Require(landed, "CreateMiner");

        var created = CreateMinerReturn.FromCbor(landed.Receipt.Return);
        var file = new MinerFile(Text(created.IdAddress), Text(created.RobustAddress), Text(owner), Text(worker), sealProof.Name,
            sealProof.WindowPoStProofId + 5, create.ToString(), landed.Height, chainName);
        file.Write(repo.Root);
        return file;
    }

    private async Task<MessageLookup> WaitAsync(Cid cid, string what, CancellationToken cancellationToken)
    {
        var head = await chain.ChainHead(cancellationToken);
        progress.WriteLine($"waiting for {what} (epoch {head.Height})…");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            return await chain.StateWaitMsg(cid, 0, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{what} (message {cid}) did not land within {timeout.TotalSeconds:0} s; is the chain producing blocks?");
        }
    }

    private static void Require(MessageLookup landed, string what)
    {
        if (landed.Receipt.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {landed.Receipt.ExitCode} (message {landed.Message}, epoch {landed.Height})");
        }
    }

    // The repo's key of that name, made if absent.
    private static byte[] Key(GranaryRepo repo, string name)
    {
        if (repo.WalletKey(name) is { } existing)
        {
            return existing;
        }

        while (true)
        {
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                Secp256k1.PublicKey(key);
            }
            catch (ArgumentException)
            {
                continue; // not in [1, n): draw again (probability ~2^-128)
            }

            repo.WriteWalletKey(name, key);
            return key;
        }
    }

    private static string Text(Address address) => address.ToString('t');
}
