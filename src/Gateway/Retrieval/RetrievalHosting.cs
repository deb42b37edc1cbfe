using Granary.Grains.Pieces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Retrieval;

/// <summary>Registers the HTTP retrieval endpoint's services (the piece directory's must be registered too).</summary>
public static class RetrievalHosting
{
    /// <summary>The <c>/piece</c> and <c>/ipfs</c> handlers and <see cref="RetrievalEndpoint"/>.</summary>
    public static IServiceCollection AddHttpRetrieval(this IServiceCollection services, RetrievalOptions? options = null)
    {
        services.AddSingleton(options ?? RetrievalOptions.Default);
        services.AddSingleton(sp => new PieceRetrievalHandler(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<PieceReader>(),
            sp.GetRequiredService<ILogger<PieceRetrievalHandler>>()));
        services.AddSingleton(sp => new TrustlessGatewayHandler(sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<PieceBlockStore>(),
            sp.GetRequiredService<PieceReader>(), sp.GetRequiredService<RetrievalOptions>(), sp.GetRequiredService<ILogger<TrustlessGatewayHandler>>()));
        services.AddSingleton<RetrievalEndpoint>();
        return services;
    }
}
