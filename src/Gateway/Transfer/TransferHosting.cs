using Granary.Grains.Deals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace Granary.Gateway.Transfer;

/// <summary>Registers the deal data transfer services on a markets silo.</summary>
public static class TransferHosting
{
    /// <summary>
    /// The staging area in <paramref name="stagingDirectory"/>, the SSRF guard (private URLs allowed when
    /// <see cref="DealmakingOptions.AllowPrivateTransferUrls"/>), the puller and the deal transfer stage
    /// (<see cref="IDealTransferStage"/>, also a hosted service so that a stopping silo cancels transfers before Orleans
    /// stops). Register after Orleans, so it stops first. The guard is also the deal grains' <see cref="ITransferUrlGuard"/>
    /// (the pre-flight check at proposal time).
    /// </summary>
    public static IServiceCollection AddDealTransfers(this IServiceCollection services, string stagingDirectory, TransferOptions? options = null)
    {
        options ??= TransferOptions.Default;
        services.AddSingleton(new StagingArea(stagingDirectory, 0));
        services.AddSingleton<IDealStagingFiles>(sp => sp.GetRequiredService<StagingArea>());
        services.AddSingleton(sp => new TransferUrlPolicy(sp.GetService<IOptions<DealmakingOptions>>()?.Value.AllowPrivateTransferUrls ?? false));
        services.AddSingleton<ITransferUrlGuard>(sp => sp.GetRequiredService<TransferUrlPolicy>());
        services.AddSingleton(sp => new TransferPuller(sp.GetRequiredService<TransferUrlPolicy>(), sp.GetRequiredService<StagingArea>(), options,
            sp.GetRequiredService<ILogger<TransferPuller>>()));
        services.AddSingleton(sp => new HttpTransferStage(sp.GetRequiredService<TransferPuller>(), sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<ILocalSiloDetails>().Name, options, sp.GetRequiredService<ILogger<HttpTransferStage>>()));
        services.AddSingleton<IDealTransferStage>(sp => sp.GetRequiredService<HttpTransferStage>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<HttpTransferStage>());
        return services;
    }
}
