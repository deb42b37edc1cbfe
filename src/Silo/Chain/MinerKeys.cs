using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;
using Granary.Grains.Miner;
using Granary.Silo.Repo;

namespace Granary.Silo.Chain;

/// <summary>
/// The miner keys of this silo's repo (<c>keystore/wallet-owner</c> and <c>keystore/wallet-worker</c>, made by
/// <c>granary init</c>), for the miner grain to sign with. Read on each lookup, so a key copied in later is found
/// without a restart.
/// </summary>
public sealed class MinerKeys(GranaryRepo repo) : IMinerKeys
{
    /// <summary>The keystore names <c>granary init</c> writes.</summary>
    public static readonly IReadOnlyList<string> Names = [GranaryRepo.OwnerKeyName, GranaryRepo.WorkerKeyName];

    /// <inheritdoc />
    public string Source => repo.KeystorePath;

    /// <inheritdoc />
    public byte[]? Find(Address address)
    {
        foreach (var name in Names)
        {
            if (repo.WalletKey(name) is { } key && Secp256k1.AddressOf(key) == address)
            {
                return key;
            }
        }

        return null;
    }
}
