using System.Security.Cryptography;
using System.Text;
using Granary.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Grains.Sectors;

/// <summary>
/// Fetches a deal piece's staging file from the silo that received it, when that file is not on this machine: over
/// the silo's <c>/remote-staging</c> route (found in <see cref="IStagingEndpointGrain"/>), with its admin token,
/// through <see cref="SectorFetcher"/> (resumed and retried), into this machine's temp directory; the copy is deleted
/// when the returned stream is closed.
/// </summary>
public sealed class StagingFetcher(IGrainFactory grains, IServiceProvider services)
{
    /// <summary>Where fetched copies go while AddPiece reads them.</summary>
    public static string TempDirectory { get; } = Path.Combine(Path.GetTempPath(), "granary-staging-fetch");

    /// <summary>Opens the remote staging file's bytes (exactly <see cref="DealPieceSource.Length"/> of them).</summary>
    /// <exception cref="IOException">The silo has no staging route, or refused or could not deliver the file.</exception>
    public async Task<Stream> OpenAsync(DealPieceSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var endpoint = await grains.GetGrain<IStagingEndpointGrain>(0).Find(source.Silo)
            ?? throw new IOException($"the piece's staging file {source.Path} is on silo {source.Silo}, which has no staging route registered "
                + "(it is down, or does not run the markets subsystem)");
        var fetcher = services.GetService<SectorFetcher>()
            ?? throw new IOException($"this silo has no sector storage, so it cannot fetch {source.Path} from {source.Silo}");
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{source.Silo}\n{source.Path}")))[..32];
        var final = Path.Combine(TempDirectory, name);
        var url = $"{endpoint.Url}?path={Uri.EscapeDataString(source.Path)}";
        long length;
        try
        {
            length = await fetcher.FetchFileAsync(url, endpoint.Token, final + ".part", final, source.Length, cancellationToken);
        }
        catch (SectorFetchException e)
        {
            throw new IOException($"fetching the piece's staging file from silo {source.Silo}: {e.Message}", e);
        }

        if (length != source.Length)
        {
            File.Delete(final);
            throw new IOException($"silo {source.Silo} sent {length} bytes of {source.Path}, not the deal's {source.Length}");
        }

        return new FileStream(final, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
    }
}
