using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Granary.Silo.Hosting;

/// <summary>
/// Lets a database error raised in a grain on one silo reach its caller on another with its type and message. Orleans
/// sends only exceptions from its allowed namespaces (System, Microsoft, Azure); an <c>NpgsqlException</c> from a
/// sealing silo would otherwise reach the gateway's API as "Could not find a codec for type Npgsql.NpgsqlException",
/// hiding what PostgreSQL said.
/// </summary>
public static class DatabaseErrors
{
    /// <summary>Adds Npgsql's namespace to the exception types Orleans serializes.</summary>
    public static IServiceCollection CrossSilos(IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
}
