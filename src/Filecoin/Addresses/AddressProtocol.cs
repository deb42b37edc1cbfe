namespace Granary.Filecoin.Addresses;

/// <summary>Filecoin address protocols (the first byte of an address, the digit after f/t).</summary>
public enum AddressProtocol : byte
{
    /// <summary>f0: an actor id.</summary>
    Id = 0,

    /// <summary>f1: BLAKE2b-160 of a secp256k1 public key.</summary>
    Secp256k1 = 1,

    /// <summary>f2: BLAKE2b-160 of actor creation data.</summary>
    Actor = 2,

    /// <summary>f3: a BLS public key.</summary>
    Bls = 3,

    /// <summary>f4: a namespace (address manager actor id) and a sub-address (FIP-0048).</summary>
    Delegated = 4,
}
