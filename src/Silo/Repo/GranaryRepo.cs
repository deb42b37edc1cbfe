using System.Security.Cryptography;
using Granary.Silo.Configuration;

namespace Granary.Silo.Repo;

/// <summary>
/// A silo's repo directory: <c>config.toml</c>, <c>keystore/</c> (mode 0700; the JWT secret and, later,
/// libp2p and wallet keys, each 0600), <c>token</c> and <c>api</c> (how CLI commands reach the running
/// silo) and, on the embedded default, the SQLite database.
/// </summary>
public sealed class GranaryRepo
{
    /// <summary>Environment variable naming the repo when <c>--repo</c> is not given.</summary>
    public const string PathVariable = "GRANARY_PATH";

    private const string JwtSecretName = "auth-jwt-private";
    private const string Libp2pKeyName = "libp2p-host";

    /// <summary>The keystore name of the miner's owner key (<c>keystore/wallet-owner</c>).</summary>
    public const string OwnerKeyName = "wallet-owner";

    /// <summary>The keystore name of the miner's worker key (<c>keystore/wallet-worker</c>).</summary>
    public const string WorkerKeyName = "wallet-worker";

    private GranaryRepo(string path) => Root = path;

    /// <summary>The repo directory (absolute).</summary>
    public string Root { get; }

    /// <summary><c>config.toml</c>.</summary>
    public string ConfigPath => Path.Combine(Root, "config.toml");

    /// <summary><c>keystore/</c>.</summary>
    public string KeystorePath => Path.Combine(Root, "keystore");

    /// <summary><c>token</c>: an admin API token, written when the silo starts.</summary>
    public string TokenPath => Path.Combine(Root, "token");

    /// <summary><c>api</c>: the API multiaddr, written when the silo starts.</summary>
    public string ApiPath => Path.Combine(Root, "api");

    /// <summary>Picks the repo: <paramref name="option"/>, else <c>GRANARY_PATH</c>, else <c>~/.granary</c>.</summary>
    public static string ResolvePath(string? option)
    {
        var chosen = !string.IsNullOrWhiteSpace(option) ? option
            : Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } env ? env
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".granary");
        if (chosen.StartsWith("~/", StringComparison.Ordinal))
        {
            chosen = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), chosen[2..]);
        }

        return Path.GetFullPath(chosen);
    }

    /// <summary>Opens an existing repo.</summary>
    /// <exception cref="DirectoryNotFoundException">No repo (no <c>config.toml</c>) at <paramref name="path"/>.</exception>
    public static GranaryRepo Open(string path)
    {
        var repo = new GranaryRepo(Path.GetFullPath(path));
        if (!File.Exists(repo.ConfigPath))
        {
            throw new DirectoryNotFoundException($"no Granary repo at {repo.Root} (no config.toml); `granary run --repo {repo.Root}` creates one");
        }

        return repo;
    }

    /// <summary>Opens the repo at <paramref name="path"/>, creating it with the embedded default if absent.</summary>
    public static GranaryRepo OpenOrCreate(string path, out bool created)
    {
        var repo = new GranaryRepo(Path.GetFullPath(path));
        created = !File.Exists(repo.ConfigPath);
        repo.EnsureLayout();
        if (created)
        {
            File.WriteAllText(repo.ConfigPath, DefaultConfigText.Text);
        }

        return repo;
    }

    /// <summary>The HMAC key that signs API tokens (32 random bytes, made once).</summary>
    public byte[] JwtSecret()
    {
        var path = Path.Combine(KeystorePath, JwtSecretName);
        if (!File.Exists(path))
        {
            EnsureLayout();
            SecretFile.Write(path, RandomNumberGenerator.GetBytes(32));
        }

        return SecretFile.Read(path);
    }

    /// <summary>
    /// This silo's libp2p identity (an Ed25519 key in <c>keystore/libp2p-host</c>, the libp2p <c>PrivateKey</c>
    /// protobuf, mode 0600), made once so the peer id the miner advertises on chain stays the same across restarts.
    /// </summary>
    /// <exception cref="IOException">The key file is unreadable, too open, or not a libp2p Ed25519 key.</exception>
    public Libp2p.Peers.Identity Libp2pIdentity()
    {
        var path = Path.Combine(KeystorePath, Libp2pKeyName);
        if (!File.Exists(path))
        {
            EnsureLayout();
            SecretFile.Write(path, Libp2p.Peers.Identity.Generate().ToPrivateKeyProtobuf());
        }

        try
        {
            return Libp2p.Peers.Identity.FromPrivateKeyProtobuf(SecretFile.Read(path));
        }
        catch (Libp2p.Libp2pProtocolException e)
        {
            throw new IOException($"{path} is not a libp2p Ed25519 private key: {e.Message}", e);
        }
    }

    /// <summary><c>miner.json</c>: the miner actor <c>granary init</c> created (see <see cref="Chain.MinerFile"/>).</summary>
    public string MinerPath => Path.Combine(Root, Chain.MinerFile.FileName);

    /// <summary>
    /// A secp256k1 wallet key from <c>keystore/NAME</c> (Lotus's export format, see <see cref="Chain.WalletKeyFile"/>),
    /// or null when there is none.
    /// </summary>
    /// <exception cref="IOException">The file is too open or not a wallet key.</exception>
    public byte[]? WalletKey(string name)
    {
        var path = Path.Combine(KeystorePath, name);
        return File.Exists(path) ? Chain.WalletKeyFile.Decode(SecretFile.Read(path), path) : null;
    }

    /// <summary>Writes a secp256k1 wallet key to <c>keystore/NAME</c> (mode 0600, atomically).</summary>
    public void WriteWalletKey(string name, ReadOnlySpan<byte> privateKey)
    {
        EnsureLayout();
        SecretFile.Write(Path.Combine(KeystorePath, name), Chain.WalletKeyFile.Encode(privateKey));
    }

    /// <summary>Records how CLI commands reach the running silo.</summary>
    public void WriteApiInfo(string multiaddr, string adminToken)
    {
        SecretFile.Write(TokenPath, System.Text.Encoding.ASCII.GetBytes(adminToken));
        File.WriteAllText(ApiPath, multiaddr);
    }

    /// <summary>
    /// Takes the repo for this process (<c>repo.lock</c>, an exclusive OS lock released on exit, even a crash),
    /// so two silos never run from one repo.
    /// </summary>
    /// <exception cref="IOException">Another process holds the repo.</exception>
    public IDisposable Lock()
    {
        var path = Path.Combine(Root, "repo.lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"repo {Root} is in use by another granary process ({e.Message})", e);
        }
    }

    /// <summary>Removes the <c>api</c> file on clean shutdown so clients don't dial a stopped silo.</summary>
    public void ClearApiInfo()
    {
        File.Delete(ApiPath);
    }

    private void EnsureLayout()
    {
        Directory.CreateDirectory(Root);
        if (!Directory.Exists(KeystorePath))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(KeystorePath);
            }
            else
            {
                Directory.CreateDirectory(KeystorePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }
}
