using System.Collections.Concurrent;
using System.Net;
using Granary.Gateway.Transfer;
using Granary.Grains.Deals;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Gateway.Tests.Markets;

/// <summary>
/// <see cref="MarketsCluster"/> with the SSRF guard wired into the deal grains (<c>AllowPrivateTransferUrls</c> off, the
/// cluster's default) and a transfer stage that records every start, to see when a deal grain (re)starts its transfer.
/// The guard resolves every host name to a public documentation address, so the samples' <c>client.example</c> URLs pass
/// without DNS while literal private addresses are refused.
/// </summary>
public sealed class GuardedMarketsCluster : MarketsCluster
{
    /// <summary>Every <see cref="IDealTransferStage.StartAsync"/> call on the markets silos, in order.</summary>
    public ConcurrentQueue<(Guid Deal, DealCheckpoint Checkpoint)> Starts { get; } = new();

    /// <inheritdoc />
    protected override void ConfigureMarketsSilo(IServiceCollection services)
    {
        services.AddSingleton<ITransferUrlGuard>(new TransferUrlPolicy(false, (_, _) => Task.FromResult(new[] { IPAddress.Parse("203.0.113.7") })));
        services.AddSingleton<IDealTransferStage>(new RecordingStage(Starts));
    }

    private sealed class RecordingStage(ConcurrentQueue<(Guid, DealCheckpoint)> starts) : IDealTransferStage
    {
        public Task StartAsync(DealSnapshot deal, CancellationToken cancellationToken)
        {
            starts.Enqueue((deal.Summary.DealUuid, deal.Summary.Checkpoint));
            return Task.CompletedTask;
        }
    }
}
