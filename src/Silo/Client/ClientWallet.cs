using System.Security.Cryptography;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Crypto;
using Granary.Silo.Chain;
using Granary.Silo.Repo;

namespace Granary.Silo.Client;

/// <summary>
/// The storage client's wallet: secp256k1 keys in <c>DIR/keystore/wallet-ADDRESS</c> (mode 0600 in a 0700 directory,
/// Lotus's export format, see <see cref="WalletKeyFile"/>, so <c>lotus wallet import</c> reads them) and
/// <c>DIR/default</c> naming the address deals are signed with when <c>--from</c> is not given. DIR is
/// <c>--wallet DIR</c>, else <c>$GRANARY_CLIENT_PATH</c>, else <c>~/.granary-client</c>.
/// </summary>
public sealed class ClientWallet
{
    /// <summary>Environment variable naming the wallet directory.</summary>
    public const string PathVariable = "GRANARY_CLIENT_PATH";

    private const string KeyPrefix = "wallet-";

    private ClientWallet(string root) => Root = root;

    /// <summary>The wallet directory (absolute).</summary>
    public string Root { get; }

    /// <summary>Where the keys are.</summary>
    public string KeystorePath => Path.Combine(Root, "keystore");

    private string DefaultPath => Path.Combine(Root, "default");

    /// <summary>Picks the directory: <paramref name="option"/>, else <c>GRANARY_CLIENT_PATH</c>, else <c>~/.granary-client</c>.</summary>
    public static string ResolvePath(string? option)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var chosen = !string.IsNullOrWhiteSpace(option) ? option
            : Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } env ? env
            : Path.Combine(home, ".granary-client");
        return Path.GetFullPath(chosen.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, chosen[2..]) : chosen);
    }

    /// <summary>Opens the wallet at <paramref name="path"/> (created on the first key).</summary>
    public static ClientWallet Open(string path) => new(Path.GetFullPath(path));

    /// <summary>Makes a new key; the first one becomes the default.</summary>
    public Address New()
    {
        EnsureKeystore();
        byte[] key;
        while (true)
        {
            key = RandomNumberGenerator.GetBytes(32);
            try
            {
                Secp256k1.PublicKey(key);
                break;
            }
            catch (ArgumentException)
            {
                // not in [1, n): draw again (probability ~2^-128)
            }
        }

        var address = Secp256k1.AddressOf(key);
        SecretFile.Write(KeyPath(address), WalletKeyFile.Encode(key));
        if (Default() is null)
        {
            SetDefault(address);
        }

        return address;
    }

    /// <summary>Every address with a key here, in name order.</summary>
    /// <exception cref="IOException">A key file is unreadable.</exception>
    public IReadOnlyList<Address> List()
    {
        if (!Directory.Exists(KeystorePath))
        {
            return [];
        }

        var addresses = new List<Address>();
        foreach (var file in Directory.GetFiles(KeystorePath, KeyPrefix + "*").Order(StringComparer.Ordinal))
        {
            addresses.Add(Secp256k1.AddressOf(WalletKeyFile.Decode(SecretFile.Read(file), file)));
        }

        return addresses;
    }

    /// <summary>The default address; null when none is set.</summary>
    /// <exception cref="IOException">The default file names no address.</exception>
    public Address? Default()
    {
        if (!File.Exists(DefaultPath))
        {
            return null;
        }

        var text = File.ReadAllText(DefaultPath).Trim();
        try
        {
            return Address.Parse(text);
        }
        catch (FilecoinFormatException e)
        {
            throw new IOException($"{DefaultPath} does not name an address: {e.Message}", e);
        }
    }

    /// <summary>Makes <paramref name="address"/> the default.</summary>
    /// <exception cref="InvalidOperationException">No key for it here.</exception>
    public void SetDefault(Address address)
    {
        if (!File.Exists(KeyPath(address)))
        {
            throw new InvalidOperationException($"no key for {Text(address)} in {KeystorePath}");
        }

        File.WriteAllText(DefaultPath, Text(address) + "\n");
    }

    /// <summary>The private key of <paramref name="address"/>; null when it is not in this wallet.</summary>
    /// <exception cref="IOException">The key file is unreadable.</exception>
    public byte[]? Key(Address address)
    {
        var path = KeyPath(address);
        if (!File.Exists(path))
        {
            return null;
        }

        var key = WalletKeyFile.Decode(SecretFile.Read(path), path);
        return Secp256k1.AddressOf(key) == address ? key : throw new IOException($"{path} holds the key of another address");
    }

    private string KeyPath(Address address) => Path.Combine(KeystorePath, KeyPrefix + Text(address));

    private void EnsureKeystore()
    {
        Directory.CreateDirectory(Root);
        if (Directory.Exists(KeystorePath))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(KeystorePath);
        }
        else
        {
            Directory.CreateDirectory(KeystorePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static string Text(Address address) => address.ToString('t');
}
