using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Granary.Silo.Web;

/// <summary>
/// The web UI's three files (<c>index.html</c>, <c>app.js</c>, <c>app.css</c>), embedded in the executable and served
/// with an ETag, so a page loads with three small requests and a reload with three 304s. Nothing comes from another host.
/// </summary>
public static class WebUiAssets
{
    private static readonly Dictionary<string, Asset> Files = Load();

    /// <summary>Serves asset <paramref name="name"/>, or 404.</summary>
    public static Task ServeAsync(HttpContext context, string name)
    {
        if (!Files.TryGetValue(name, out var asset))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        WebUi.SecurityHeaders(context.Response);
        context.Response.Headers.ETag = asset.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    private static Dictionary<string, Asset> Load()
    {
        var assembly = typeof(WebUiAssets).Assembly;
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("Granary.Web." + name)
                ?? throw new InvalidOperationException($"the web UI's {name} is not embedded in {assembly.GetName().Name}");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            files[name] = new Asset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8))}\"");
        }

        return files;
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
