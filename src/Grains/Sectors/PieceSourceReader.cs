using Orleans.Runtime;

namespace Granary.Grains.Sectors;

/// <summary>
/// Opens a deal piece's bytes for AddPiece: the staging file itself when it is on this machine (the source silo is this
/// silo, or the path exists here), else a download from the source silo's cluster-internal staging route.
/// </summary>
public sealed class PieceSourceReader(ILocalSiloDetails silo, StagingFetcher remote)
{
    /// <summary>Opens the piece's bytes; the stream is exactly <see cref="DealPieceSource.Length"/> bytes long.</summary>
    /// <exception cref="IOException">The file is missing, of another length, or cannot be fetched from its silo.</exception>
    public async Task<Stream> OpenAsync(DealPieceSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (File.Exists(source.Path))
        {
            var file = new FileStream(source.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            if (file.Length != source.Length)
            {
                await file.DisposeAsync();
                throw new IOException($"{source.Path} holds {new FileInfo(source.Path).Length} bytes, not the deal's {source.Length}");
            }

            return file;
        }

        if (string.Equals(source.Silo, silo.Name, StringComparison.Ordinal))
        {
            throw new IOException($"the piece's staging file {source.Path} is gone from {source.Silo}");
        }

        return await remote.OpenAsync(source, cancellationToken);
    }
}
