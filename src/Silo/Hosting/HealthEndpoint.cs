using Microsoft.AspNetCore.Http;

namespace Granary.Silo.Hosting;

/// <summary><c>GET /healthz</c>: this silo, its subsystems, the active cluster members and the database kind.</summary>
internal static class HealthEndpoint
{
    public static async Task HandleAsync(HttpContext context, ClusterStatus cluster)
    {
        var members = await cluster.MembersAsync();
        await context.Response.WriteAsJsonAsync(new
        {
            status = "ok",
            silo = cluster.SiloName,
            subsystems = cluster.Subsystems,
            members,
            database = cluster.Database,
        });
    }
}
