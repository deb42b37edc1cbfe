using System.Text.Json;
using System.Text.Json.Serialization;

namespace Granary.Silo.Chain;

/// <summary>
/// <c>REPO/miner.json</c>: the miner actor <c>granary init</c> created for this repo. Its presence is what makes a
/// repo a miner's (init refuses a repo that has one); the keys are in <c>keystore/wallet-owner</c> and
/// <c>keystore/wallet-worker</c>.
/// </summary>
/// <param name="Miner">The miner's id address (<c>t01000</c>).</param>
/// <param name="RobustAddress">Its robust address (<c>t2…</c>).</param>
/// <param name="Owner">The owner's key address.</param>
/// <param name="Worker">The worker's key address.</param>
/// <param name="SectorSize">The sector size name (<c>2KiB</c>, <c>8MiB</c>).</param>
/// <param name="WindowPoStProofType">The registered WindowPoSt proof id sent to <c>CreateMiner</c>.</param>
/// <param name="CreateMessage">The CID of the <c>CreateMiner</c> message.</param>
/// <param name="Epoch">The epoch it landed in.</param>
/// <param name="Chain">Where the chain was: <c>embedded</c> or the remote node's URL (no token).</param>
public sealed record MinerFile(
    string Miner, string RobustAddress, string Owner, string Worker, string SectorSize, long WindowPoStProofType,
    string CreateMessage, long Epoch, string Chain)
{
    /// <summary>The file name in the repo.</summary>
    public const string FileName = "miner.json";

    private const int MaxBytes = 64 << 10;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>Reads the repo's miner file; null when the repo has none.</summary>
    /// <exception cref="IOException">The file exists but is unreadable or not a miner file.</exception>
    public static MinerFile? Read(string repoRoot)
    {
        var path = Path.Combine(repoRoot, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length > MaxBytes)
            {
                throw new JsonException($"{bytes.Length} bytes is more than {MaxBytes}");
            }

            return JsonSerializer.Deserialize<MinerFile>(bytes, Json) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new IOException($"{path} is not a miner file: {e.Message}", e);
        }
    }

    /// <summary>Writes the file atomically (a temp file, flushed, then renamed over).</summary>
    public void Write(string repoRoot)
    {
        var path = Path.Combine(repoRoot, FileName);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, this, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
