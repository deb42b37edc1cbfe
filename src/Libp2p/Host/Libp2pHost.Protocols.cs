using Granary.Libp2p.Identify;
using Granary.Libp2p.Yamux;

namespace Granary.Libp2p.Host;

/// <summary>The built-in protocols: identify (both roles), identify push (receiving) and ping (responding).</summary>
public sealed partial class Libp2pHost
{
    private Task ServeIdentifyAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var response = IdentifyProtocol.BuildResponse(
            _identity.PublicKey,
            Options.AgentVersion,
            AdvertisedAddresses,
            stream.Connection.RemoteTransportAddress.IsEmpty ? null : stream.Connection.RemoteTransportAddress,
            Protocols,
            Options.MaxIdentifyMessageSize);
        return IdentifyProtocol.RespondAsync(stream, response, cancellationToken);
    }

    private async Task ReceiveIdentifyPushAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.IdentifyTimeout);
        var message = await IdentifyProtocol.ReadAsync(stream, Options.MaxIdentifyMessageSize, timeout.Token).ConfigureAwait(false);
        var connection = stream.Connection;
        var previous = connection.Identify ?? (_identified.TryGetValue(connection.RemotePeer, out var known) ? known : null);
        Store(connection, IdentifyInfo.From(message, connection.RemotePublicKey, previous));
    }

    private async Task ServePingAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        var connection = stream.Connection;
        if (!connection.TryEnterInboundPing())
        {
            _logger.PingStreamLimit(connection.RemotePeer, PingProtocol.MaxInboundStreamsPerConnection);
            stream.Reset();
            return;
        }

        try
        {
            await PingProtocol.RespondAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            connection.ExitInboundPing();
        }
    }

    /// <summary>Asks the peer of a new connection who it is (both directions, as js does) and stores the answer.</summary>
    private async Task RunIdentifyAsync(Libp2pConnection connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Lifetime);
        timeout.CancelAfter(Options.IdentifyTimeout);
        try
        {
            await using var stream = await connection.OpenStreamAsync(IdentifyProtocol.Id, timeout.Token).ConfigureAwait(false);

            // We send nothing on an identify stream; the FIN goes after the protocol echo, never before it.
            await stream.CloseWriteAsync().ConfigureAwait(false);
            var message = await IdentifyProtocol.ReadAsync(stream, Options.MaxIdentifyMessageSize, timeout.Token).ConfigureAwait(false);
            Store(connection, IdentifyInfo.From(message, connection.RemotePublicKey, previous: null));
        }
        catch (Exception e)
        {
            if (!connection.Lifetime.IsCancellationRequested)
            {
                var reason = e is OperationCanceledException ? $"no answer within {Options.IdentifyTimeout.TotalSeconds:0.###} s" : e.Message;
                _logger.IdentifyFailed(connection.RemotePeer, reason);
            }

            connection.FailIdentify(e is YamuxSessionClosedException or Libp2pProtocolException ? e : new Libp2pProtocolException($"identify with {connection.RemotePeer} failed: {e.Message}", e));
        }
    }

    private void Store(Libp2pConnection connection, IdentifyInfo info)
    {
        _identified[info.PeerId] = info;
        connection.SetIdentify(info);
        _logger.Identified(info.PeerId, info.AgentVersion, info.Protocols.Count, info.ListenAddrs.Count);
        Raise(PeerIdentified, info, nameof(PeerIdentified));
    }
}
