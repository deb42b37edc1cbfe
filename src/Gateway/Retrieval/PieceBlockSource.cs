using System.Security.Cryptography;
using Granary.Filecoin.Cids;
using Granary.Grains.Pieces;

namespace Granary.Gateway.Retrieval;

/// <summary>
/// Reads blocks by multihash out of pieces for one retrieval request: the block index says which pieces hold a block
/// and where; the piece last read from is tried first (a DAG usually lives in one piece), and each piece is opened once
/// per request. A sha2-256 block is checked against its hash before it is served.
/// </summary>
public sealed class PieceBlockSource(IGrainFactory grains, PieceBlockStore blocks, PieceReader reader) : IAsyncDisposable
{
    private readonly Dictionary<string, PieceContent?> _open = [];
    private string? _current;

    /// <summary>Why the last lookup failed, for messages.</summary>
    public string LastProblem { get; private set; } = "";

    /// <summary>When a piece that holds the block is being unsealed beyond the retrieval's wait: when to ask again; else null.</summary>
    public TimeSpan? UnsealingRetryAfter { get; private set; }

    /// <summary>The block's data, or null if no readable piece holds it.</summary>
    public async Task<byte[]?> GetAsync(Multihash hash, CancellationToken cancellationToken)
    {
        var key = hash.ToBytes();
        if (_current is not null && await blocks.FindInPieceAsync(_current, key, cancellationToken) is { } here
            && await ReadAsync(_current, here.Offset, here.Length, hash, cancellationToken) is { } data)
        {
            return data;
        }

        var locations = await blocks.FindAsync(key, cancellationToken: cancellationToken);
        if (locations.Count == 0)
        {
            LastProblem = "no stored piece holds it";
            return null;
        }

        foreach (var location in locations)
        {
            if (await ReadAsync(location.PieceCid, location.Offset, location.Length, hash, cancellationToken) is { } found)
            {
                _current = location.PieceCid;
                return found;
            }
        }

        return null;
    }

    private async Task<byte[]?> ReadAsync(string pieceCid, long offset, long length, Multihash hash, CancellationToken cancellationToken)
    {
        if (!_open.TryGetValue(pieceCid, out var content))
        {
            content = null;
            try
            {
                if (await grains.GetPiece(pieceCid).Info() is { } piece)
                {
                    content = await reader.OpenAsync(piece, cancellationToken);
                }
                else
                {
                    LastProblem = $"piece {pieceCid} is not in the piece directory";
                }
            }
            catch (PieceUnsealingException e)
            {
                LastProblem = e.Message;
                UnsealingRetryAfter = e.RetryAfter;
            }
            catch (PieceUnavailableException e)
            {
                LastProblem = e.Message;
            }

            _open[pieceCid] = content;
        }

        if (content is null || length > Filecoin.Car.CarLimits.Default.MaxSectionBytes || offset + length > content.Stream.Length)
        {
            return null;
        }

        var data = new byte[length];
        content.Stream.Position = offset;
        await content.Stream.ReadExactlyAsync(data, cancellationToken);
        if (hash.Code == Multihash.Sha2_256 && !SHA256.HashData(data).AsSpan().SequenceEqual(hash.Digest))
        {
            LastProblem = $"the copy in piece {pieceCid} does not match its hash";
            return null;
        }

        return data;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var content in _open.Values)
        {
            if (content is not null)
            {
                await content.DisposeAsync();
            }
        }

        _open.Clear();
    }
}
