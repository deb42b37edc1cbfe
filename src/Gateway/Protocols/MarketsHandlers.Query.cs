using Granary.Filecoin.Addresses;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Grains.Miner;
using Granary.Grains.Pieces;
using Granary.Libp2p.Host;
using Orleans.Runtime;

namespace Granary.Gateway.Protocols;

// /fil/retrieval/qry/1.0.0: is the payload (or the piece) here. Answered from the piece directory: a piece counts as
// available when a copy of it exists (staged, or placed in a sector). Retrieval is free: zero prices.
public sealed partial class MarketsHandlers
{
    /// <summary>Boost's default payment interval and its increase (1 MiB), reported although retrieval here is free.</summary>
    public const ulong PaymentInterval = 1 << 20;

    private async Task HandleQueryAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var peer = stream.RemotePeer.ToString();
        QueryResponse response;
        try
        {
            var query = RetrievalQuery.FromCbor(await ReadRequestAsync(stream, RetrievalQuery.MaxMessageBytes, cancellationToken));
            response = await QueryAsync(query, cancellationToken);
            LogQuery(query.PayloadCid.ToString(), query.PieceCid?.ToString() ?? "", peer, response.Status.ToString());
        }
        catch (MarketsWireException e)
        {
            LogBadRequest(stream.Protocol, peer, e.Error.ToString(), e.Message);
            response = Unanswered(await PaymentAddressAsync(), QueryResponseStatus.Error, $"cannot read the query ({e.Error.ToString().ToLowerInvariant()}): {e.Message}");
        }

        await WriteResponseAsync(stream, response.ToCbor(), options.WriteTimeout, cancellationToken);
    }

    /// <summary>The answer to a query.</summary>
    public async Task<QueryResponse> QueryAsync(RetrievalQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var payment = await PaymentAddressAsync();
        try
        {
            string? piece;
            if (query.PieceCid is { } pieceCid)
            {
                if (!PieceKey.TryParse(pieceCid.ToString(), out var key, out var reason))
                {
                    return Unanswered(payment, QueryResponseStatus.Error, $"{pieceCid} is not a piece CID: {reason}");
                }

                piece = key.Key;
            }
            else if (blocks is null)
            {
                return Unanswered(payment, QueryResponseStatus.Error, "this gateway cannot look payloads up by CID (no piece index here); name the piece CID");
            }
            else
            {
                var found = await blocks.FindAsync(query.PayloadCid.Hash.ToBytes(), 16, cancellationToken);
                piece = null;
                foreach (var location in found)
                {
                    if (await grains.GetPiece(location.PieceCid).Info() is { } candidate && HasCopy(candidate))
                    {
                        piece = candidate.PieceCid;
                        break;
                    }
                }

                if (piece is null)
                {
                    return Unanswered(payment, QueryResponseStatus.Unavailable, $"payload {query.PayloadCid} is not in any piece here", QueryItemStatus.Unavailable);
                }
            }

            var record = await grains.GetPiece(piece).Info();
            if (record is null || !HasCopy(record))
            {
                return Unanswered(payment, QueryResponseStatus.Unavailable,
                    record is null ? $"piece {piece} is not here" : $"piece {piece} is known but no copy of its data is here yet", QueryItemStatus.Unavailable);
            }

            if (query.PieceCid is not null && blocks is not null && record.Index.State == PieceIndexState.Indexed
                && await blocks.FindInPieceAsync(record.PieceCid, query.PayloadCid.Hash.ToBytes(), cancellationToken) is null)
            {
                return Unanswered(payment, QueryResponseStatus.Unavailable, $"payload {query.PayloadCid} is not in piece {piece}", QueryItemStatus.Available);
            }

            return new QueryResponse(QueryResponseStatus.Available, QueryItemStatus.Available, (ulong)PaddedPieceSize.Unpadded(record.PieceSize),
                payment, TokenAmount.Zero, PaymentInterval, PaymentInterval, "", TokenAmount.Zero);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or System.Data.Common.DbException)
        {
            LogProviderError(MarketsProtocolIds.Query, "", e.Message);
            return Unanswered(payment, QueryResponseStatus.Error, $"the provider could not look the data up: {e.Message}");
        }
    }

    private static bool HasCopy(PieceRecord piece) => piece.Staging is not null || piece.Sectors.Length > 0;

    private static QueryResponse Unanswered(Address payment, QueryResponseStatus status, string message, QueryItemStatus found = QueryItemStatus.Unknown) =>
        new(status, found, 0, payment, TokenAmount.Zero, 0, 0, message, TokenAmount.Zero);

    // Boost names the miner's worker as the payment address; the miner itself when the worker cannot be read.
    private async Task<Address> PaymentAddressAsync()
    {
        if (options.Miner.Length == 0)
        {
            return Address.FromId(0);
        }

        try
        {
            return Address.Parse((await grains.GetGrain<IMinerGrain>(options.Miner).GetInfo(false)).Info.Worker);
        }
        catch (Exception e) when (e is MinerException or TimeoutException or OrleansException)
        {
            return Address.Parse(options.Miner);
        }
    }
}
