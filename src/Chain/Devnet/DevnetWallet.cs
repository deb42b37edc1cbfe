using System.Security.Cryptography;
using Granary.Chain.Devnet.Storage;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;

namespace Granary.Chain.Devnet;

/// <summary>The node's secp256k1 keys, kept in the devnet database (whose file is readable by its owner only).</summary>
internal sealed class DevnetWallet(DevnetStore store)
{
    private readonly Dictionary<Address, byte[]> _keys = [];

    public void Load()
    {
        foreach (var (address, key) in store.LoadWallet())
        {
            _keys[Address.Parse(address)] = key;
        }
    }

    /// <summary>Adds a key (idempotent); its address.</summary>
    public Address Import(byte[] privateKey)
    {
        var address = Secp256k1.AddressOf(privateKey);
        if (_keys.TryAdd(address, [.. privateKey]))
        {
            store.AddWalletKey(address.ToString(), (int)SignatureType.Secp256k1, privateKey);
        }

        return address;
    }

    public Address New()
    {
        while (true)
        {
            var key = RandomNumberGenerator.GetBytes(32);
            try
            {
                return Import(key);
            }
            catch (ArgumentException)
            {
                // not in [1, n): draw again (probability ~2^-128)
            }
        }
    }

    public byte[]? KeyOf(Address address) => _keys.GetValueOrDefault(address);
}
