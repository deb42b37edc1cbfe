using System.Security.Cryptography;
using System.Text.Json;
using Granary.Silo.Repo;

namespace Granary.Silo.Chain;

/// <summary>
/// The repo of a <c>granary devnet run</c> process, laid out like a Lotus full node's: <c>devnet.db</c> (the chain,
/// SQLite in WAL mode, holding the node's wallet keys too), <c>devnet.json</c> (the block delay it was created with),
/// <c>keystore/auth-jwt-private</c> (the JWT secret, 0600 in a 0700 directory), <c>token</c> (an admin token, 0600)
/// and <c>api</c> (the API multiaddr) while it runs, and <c>repo.lock</c>.
/// </summary>
public sealed class DevnetRepo
{
    /// <summary>Environment variable naming the devnet repo when <c>--repo</c> is not given.</summary>
    public const string PathVariable = "GRANARY_DEVNET_PATH";

    private DevnetRepo(string root) => Root = root;

    /// <summary>The repo directory (absolute).</summary>
    public string Root { get; }

    /// <summary>The chain's SQLite file.</summary>
    public string DatabasePath => Path.Combine(Root, EmbeddedDevnet.DatabaseFileName);

    /// <summary><c>keystore/</c>.</summary>
    public string KeystorePath => Path.Combine(Root, "keystore");

    /// <summary><c>token</c>: an admin token, written at start.</summary>
    public string TokenPath => Path.Combine(Root, "token");

    /// <summary><c>api</c>: the API multiaddr, written at start and removed at a clean stop.</summary>
    public string ApiPath => Path.Combine(Root, "api");

    private string SettingsPath => Path.Combine(Root, "devnet.json");

    /// <summary>Picks the repo: <paramref name="option"/>, else <c>GRANARY_DEVNET_PATH</c>, else <c>~/.granary-devnet</c>.</summary>
    public static string ResolvePath(string? option)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var chosen = !string.IsNullOrWhiteSpace(option) ? option
            : Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } env ? env
            : Path.Combine(home, ".granary-devnet");
        return Path.GetFullPath(chosen.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, chosen[2..]) : chosen);
    }

    /// <summary>Opens the repo at <paramref name="path"/>, creating its directories if absent.</summary>
    public static DevnetRepo OpenOrCreate(string path)
    {
        var repo = new DevnetRepo(Path.GetFullPath(path));
        Directory.CreateDirectory(repo.Root);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(repo.KeystorePath);
        }
        else if (!Directory.Exists(repo.KeystorePath))
        {
            Directory.CreateDirectory(repo.KeystorePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return repo;
    }

    /// <summary>The HMAC key that signs API tokens (32 random bytes, made once).</summary>
    public byte[] JwtSecret()
    {
        var path = Path.Combine(KeystorePath, "auth-jwt-private");
        if (!File.Exists(path))
        {
            SecretFile.Write(path, RandomNumberGenerator.GetBytes(32));
        }

        return SecretFile.Read(path);
    }

    /// <summary>The block delay the chain was created with; null for a new repo.</summary>
    /// <exception cref="IOException"><c>devnet.json</c> is not readable.</exception>
    public int? CreatedBlockDelay()
    {
        if (!File.Exists(SettingsPath))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(SettingsPath));
            return doc.RootElement.GetProperty("BlockDelaySeconds").GetInt32();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new IOException($"{SettingsPath} is not a devnet settings file: {e.Message}", e);
        }
    }

    /// <summary>Records the block delay of a new chain.</summary>
    public void RecordBlockDelay(int seconds) =>
        File.WriteAllText(SettingsPath, JsonSerializer.Serialize(new Dictionary<string, int> { ["BlockDelaySeconds"] = seconds }));

    /// <summary>Takes the repo for this process (an exclusive lock on <c>repo.lock</c>, released on exit, even a crash).</summary>
    /// <exception cref="IOException">Another process holds it.</exception>
    public IDisposable Lock()
    {
        try
        {
            return new FileStream(Path.Combine(Root, "repo.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"devnet repo {Root} is in use by another granary devnet process ({e.Message})", e);
        }
    }

    /// <summary>Writes <c>token</c> (0600) and <c>api</c>.</summary>
    public void WriteApiInfo(string multiaddr, string adminToken)
    {
        SecretFile.Write(TokenPath, System.Text.Encoding.ASCII.GetBytes(adminToken));
        File.WriteAllText(ApiPath, multiaddr);
    }

    /// <summary>The running devnet's API multiaddr; null when none runs (no <c>api</c> file).</summary>
    public string? ApiMultiaddr() => File.Exists(ApiPath) ? File.ReadAllText(ApiPath).Trim() : null;

    /// <summary>Removes <c>api</c> at a clean stop.</summary>
    public void ClearApiInfo() => File.Delete(ApiPath);
}
