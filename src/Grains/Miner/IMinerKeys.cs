using Granary.Filecoin.Addresses;

namespace Granary.Grains.Miner;

/// <summary>
/// The secp256k1 keys this silo may sign miner messages with (the silo reads them from its repo's keystore).
/// A silo that hosts the mining subsystem needs the worker's key; others need none.
/// </summary>
public interface IMinerKeys
{
    /// <summary>Where the keys come from, for messages (e.g. <c>/var/lib/granary/keystore</c>).</summary>
    string Source { get; }

    /// <summary>The 32-byte private key of the key address <paramref name="address"/> (<c>t1…</c>), or null if this silo has none.</summary>
    byte[]? Find(Address address);
}
