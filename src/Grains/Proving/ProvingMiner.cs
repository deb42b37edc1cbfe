using Granary.Filecoin;
using Granary.Filecoin.Addresses;

namespace Granary.Grains.Proving;

/// <summary>
/// The miner a mining silo proves for: read when the head service starts (on a granary silo, from the repo's
/// <c>miner.json</c>); null when the repo has no miner yet, and the silo then proves nothing.
/// </summary>
public sealed class ProvingMiner(Func<string?> read)
{
    /// <summary>The miner's address, or null.</summary>
    public string? Read() => read();

    /// <summary>Parses a miner address (an id address such as <c>t01000</c>).</summary>
    /// <exception cref="ProvingException">Not an id address.</exception>
    public static Address Parse(string text)
    {
        try
        {
            var address = Address.Parse(text);
            return address.Protocol == AddressProtocol.Id
                ? address
                : throw new ProvingException($"'{text}' is a {address.Protocol} address; proving needs the miner's id address (t0…)");
        }
        catch (FilecoinFormatException e)
        {
            throw new ProvingException($"'{text}' is not a miner address: {e.Message}");
        }
    }
}
