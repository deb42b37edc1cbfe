using System.Globalization;
using Granary.Filecoin.Addresses;
using Granary.Grains.Placement;
using Granary.Grains.Sectors;
using Granary.Grains.Storage;
using Granary.Silo.Api;
using Granary.Silo.Chain;
using Granary.Silo.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Granary.Silo.Web;

/// <summary>
/// The web UI's actions. Each needs <c>Authorization: Bearer TOKEN</c> with a token of this node (<see cref="ApiToken"/>)
/// that allows <c>write</c>: 401 without a valid token, 403 with a weaker one, 404 for no such sector, 409 when the action
/// does not apply (the sector is not failed).
/// </summary>
public sealed partial class WebUiActions(ApiToken tokens, IGrainFactory grains, SiloIdentity identity, ILogger<WebUiActions> logger)
{
    /// <summary><c>GET /ui/api/whoami</c>: the permissions of the token sent (so the page can say whether actions will work).</summary>
    public Task WhoAmIAsync(HttpContext context)
    {
        WebUi.SecurityHeaders(context.Response);
        var permissions = Authenticate(context.Request, out var reason);
        if (permissions is null)
        {
            return Refuse(context, StatusCodes.Status401Unauthorized, reason!);
        }

        return context.Response.WriteAsJsonAsync(new { permissions = permissions.Select(p => p.Name()).ToArray() });
    }

    /// <summary><c>POST /ui/api/sectors/N/retry</c>: a failed sector's step runs again now (needs <c>write</c>).</summary>
    public async Task RetryAsync(HttpContext context, string number)
    {
        WebUi.SecurityHeaders(context.Response);
        var permissions = Authenticate(context.Request, out var reason);
        if (permissions is null)
        {
            await Refuse(context, StatusCodes.Status401Unauthorized, reason!);
            return;
        }

        if (!permissions.Contains(Permission.Write))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "this token does not allow 'write' (create one with `granary auth create-token --perm write`)");
            return;
        }

        if (!ulong.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var sector))
        {
            await Refuse(context, StatusCodes.Status400BadRequest, $"'{number}' is not a sector number");
            return;
        }

        if (MinerFile.Read(identity.Repo.Root) is not { } miner)
        {
            await Refuse(context, StatusCodes.Status409Conflict, $"this silo's repo {identity.Repo.Root} has no miner");
            return;
        }

        var name = new SectorId(Address.Parse(miner.Miner).Id, sector).Name;
        try
        {
            var from = await grains.GetGrain<ISectorRetryGrain>(name).RetryNow();
            LogRetried(sector, from, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            await context.Response.WriteAsJsonAsync(new { sector, retried = from.ToString() });
        }
        catch (InvalidOperationException e)
        {
            await Refuse(context, e.Message.Contains("does not exist", StringComparison.Ordinal) ? StatusCodes.Status404NotFound : StatusCodes.Status409Conflict, e.Message);
        }
        catch (Exception e) when (e is SubsystemUnavailableException or TimeoutException)
        {
            await Refuse(context, StatusCodes.Status503ServiceUnavailable, e.Message);
        }
    }

    private IReadOnlyList<Permission>? Authenticate(HttpRequest request, out string? reason)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            reason = "missing API token: paste one from `granary auth create-token --perm write` into the token field";
            return null;
        }

        return tokens.Verify(header["Bearer ".Length..].Trim(), out reason);
    }

    private static Task Refuse(HttpContext context, int status, string error)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        return context.Response.WriteAsJsonAsync(new { error });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "web UI: sector {Sector} retried from {State} (request from {Remote})")]
    private partial void LogRetried(ulong sector, SectorState state, string remote);
}
