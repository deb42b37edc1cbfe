using Granary.Grains.Metrics;
using Granary.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Granary.Silo.Metrics;

/// <summary>
/// <c>/metrics</c> on the admin endpoint: Prometheus text from OpenTelemetry, for the <c>Granary</c> meter
/// (<see cref="GranaryMetrics"/>) and Orleans' own (<c>Microsoft.Orleans</c>: grains, messaging, silo figures), with the
/// collector that keeps the gauges current.
/// </summary>
public static class MetricsHosting
{
    /// <summary>Orleans' meter.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Where Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    /// <summary>Registers the meter provider, the Prometheus exporter and the collector.</summary>
    public static IServiceCollection AddGranaryMetrics(this IServiceCollection services, SiloIdentity identity)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("granary", serviceVersion: SiloIdentity.Version, serviceInstanceId: identity.SiloName))
            .WithMetrics(m => m.AddMeter(GranaryMetrics.MeterName, OrleansMeter).AddPrometheusExporter());
        services.AddHostedService<MetricsCollector>();
        return services;
    }

    /// <summary>Maps <c>/metrics</c> on the admin endpoint's routes.</summary>
    public static IEndpointRouteBuilder MapGranaryMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(Path);
        return endpoints;
    }
}
