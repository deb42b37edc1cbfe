using System.Net.Sockets;
using Granary.Libp2p.Multistream;
using Granary.Libp2p.Noise;
using Granary.Libp2p.Peers;
using Granary.Libp2p.Yamux;
using Microsoft.Extensions.Logging;

namespace Granary.Libp2p.Transport;

/// <summary>
/// Turns a raw TCP socket into a libp2p connection, either direction: multistream-select <c>/noise</c> on the
/// socket, the Noise XX handshake, then the muxer — agreed inside Noise when both sides announced
/// <c>stream_muxers</c> (inlined negotiation), otherwise by multistream-select <c>/yamux/1.0.0</c> over Noise —
/// and finally a <see cref="YamuxSession"/> (the dialer is the yamux client, odd stream ids).
/// </summary>
/// <param name="identity">Our identity, which signs the Noise static key.</param>
/// <param name="announceMuxers">Whether to announce <c>stream_muxers</c> in the Noise payload.</param>
/// <param name="yamuxOptions">Options of every yamux session.</param>
/// <param name="yamuxLogger">Logger handed to the yamux sessions.</param>
internal sealed class ConnectionUpgrader(Identity identity, bool announceMuxers, YamuxOptions yamuxOptions, ILogger yamuxLogger)
{
    private static readonly string[] SecurityProtocols = [NoiseHandshake.ProtocolId];
    private static readonly string[] Muxers = [YamuxSession.ProtocolId];

    /// <summary>
    /// Runs the whole upgrade within <paramref name="timeout"/>. On any failure the socket is closed and the
    /// exception says why: <see cref="TimeoutException"/> for a peer too slow or silent,
    /// <see cref="Libp2pProtocolException"/> (incl. <see cref="NoiseHandshakeException"/>) for a peer that broke a
    /// protocol or is not <paramref name="expectedRemote"/>, <see cref="IOException"/> for a dropped connection.
    /// </summary>
    public async Task<UpgradedConnection> UpgradeAsync(Socket socket, bool outbound, PeerId? expectedRemote, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var network = new NetworkStream(socket, ownsSocket: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);

        // Socket reads honour cancellation, but closing the socket as well makes sure nothing outlives the deadline.
        var closeOnDeadline = deadline.Token.UnsafeRegister(static s => ((Socket)s!).Dispose(), socket);
        try
        {
            var token = deadline.Token;
            if (outbound)
            {
                await MultistreamSelect.SelectAsync(network, SecurityProtocols, token).ConfigureAwait(false);
            }
            else
            {
                await MultistreamSelect.HandleAsync(network, SecurityProtocols, token).ConfigureAwait(false);
            }

            IReadOnlyList<string> announced = announceMuxers ? Muxers : [];
            var noise = outbound
                ? await NoiseHandshake.SecureOutboundAsync(network, identity, expectedRemote, announced, token).ConfigureAwait(false)
                : await NoiseHandshake.SecureInboundAsync(network, identity, announced, token).ConfigureAwait(false);

            var inlined = noise.NegotiatedMuxer is not null;
            if (inlined && noise.NegotiatedMuxer != YamuxSession.ProtocolId)
            {
                throw new Libp2pProtocolException($"the Noise handshake chose the muxer '{noise.NegotiatedMuxer}', which this host does not speak");
            }

            if (!inlined)
            {
                if (outbound)
                {
                    await MultistreamSelect.SelectAsync(noise.Stream, Muxers, token).ConfigureAwait(false);
                }
                else
                {
                    await MultistreamSelect.HandleAsync(noise.Stream, Muxers, token).ConfigureAwait(false);
                }
            }

            // Past this point the deadline must not close the socket: the session owns it.
            await closeOnDeadline.DisposeAsync().ConfigureAwait(false);
            if (deadline.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw Timeout(timeout);
            }

            var session = new YamuxSession(noise.Stream, isClient: outbound, yamuxOptions, yamuxLogger);
            return new UpgradedConnection(socket, noise, session, YamuxSession.ProtocolId, inlined);
        }
        catch (Exception e)
        {
            await closeOnDeadline.DisposeAsync().ConfigureAwait(false);
            await network.DisposeAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("the connection upgrade was cancelled", e, cancellationToken);
            }

            if (deadline.IsCancellationRequested && e is not TimeoutException)
            {
                throw Timeout(timeout, e);
            }

            throw;
        }
    }

    private static TimeoutException Timeout(TimeSpan timeout, Exception? inner = null) =>
        new($"the connection upgrade (multistream, Noise, muxer) did not finish within {timeout.TotalSeconds:0.###} s", inner);
}
