using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Granary.Silo.Web;

/// <summary>
/// Granary's operator pages on the admin HTTP endpoint (beside <c>/healthz</c> and the Orleans dashboard): <c>/ui/</c>
/// (one HTML page, one script, one style sheet), the JSON it polls every 2 s (<c>/ui/api/NAME.json</c>, read-only, no
/// token: the admin endpoint is private, as the dashboard's is) and the actions, which need an API token with
/// <c>write</c> (<c>Authorization: Bearer TOKEN</c>, as on the JSON-RPC API).
/// </summary>
public static class WebUi
{
    /// <summary>Where the pages are.</summary>
    public const string Prefix = "/ui";

    /// <summary>Registers what the pages read through.</summary>
    public static IServiceCollection AddGranaryWebUi(this IServiceCollection services)
    {
        services.AddSingleton<LocalApi>();
        services.AddSingleton<OperatorViews>();
        services.AddSingleton<WebUiActions>();
        return services;
    }

    /// <summary>Maps <c>/ui/…</c> on the admin endpoint's routes.</summary>
    public static IEndpointRouteBuilder MapGranaryWebUi(this IEndpointRouteBuilder endpoints)
    {
        // Routing matches /ui and /ui/ alike: the page is at /ui/ (its relative links need the slash).
        endpoints.MapGet(Prefix, c =>
        {
            if (c.Request.Path.Value?.EndsWith('/') == true)
            {
                return WebUiAssets.ServeAsync(c, "index.html");
            }

            c.Response.Redirect(Prefix + "/");
            return Task.CompletedTask;
        });
        endpoints.MapGet(Prefix + "/app.js", c => WebUiAssets.ServeAsync(c, "app.js"));
        endpoints.MapGet(Prefix + "/app.css", c => WebUiAssets.ServeAsync(c, "app.css"));
        endpoints.MapGet(Prefix + "/api/whoami", (HttpContext c, WebUiActions actions) => actions.WhoAmIAsync(c));
        endpoints.MapPost(Prefix + "/api/sectors/{number}/retry", (HttpContext c, string number, WebUiActions actions) => actions.RetryAsync(c, number));
        endpoints.MapGet(Prefix + "/api/{name}.json", async (HttpContext c, string name, OperatorViews views) =>
        {
            SecurityHeaders(c.Response);
            c.Response.Headers.CacheControl = "no-store";
            try
            {
                var build = views.BuildAsync(name, key => c.Request.Query[key].FirstOrDefault(), c.RequestAborted);
                if (build is null)
                {
                    c.Response.StatusCode = StatusCodes.Status404NotFound;
                    await c.Response.WriteAsJsonAsync(new { error = $"no page '{name}' ({string.Join(", ", OperatorViews.Names)})" });
                    return;
                }

                await c.Response.WriteAsJsonAsync(await build, c.RequestAborted);
            }
            catch (ArgumentException e)
            {
                c.Response.StatusCode = StatusCodes.Status400BadRequest;
                await c.Response.WriteAsJsonAsync(new { error = e.Message });
            }
        });
        return endpoints;
    }

    /// <summary>What every web UI answer carries: nothing from other hosts, no framing, no sniffing.</summary>
    internal static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
