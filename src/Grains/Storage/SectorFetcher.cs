using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Storage;

/// <summary>
/// Downloads sector files from another silo's <c>/remote</c> endpoint. A file goes to a temp path and is
/// renamed into place only once complete, so a reader never sees half a file. An interrupted download
/// resumes from the temp file's length with an HTTP <c>Range</c> request. Sizes are checked against the
/// server's length and the caller's limit; there is no checksum (the proofs check content).
/// </summary>
public sealed partial class SectorFetcher(HttpClient http, SectorFetcherOptions options, ILogger<SectorFetcher> logger)
{
    private const int ListingMaxBytes = 1 << 20;

    /// <summary>
    /// Fetches one file to <paramref name="finalPath"/> through <paramref name="tempPath"/> (kept between attempts
    /// and between calls, so a later call resumes it). Returns the file's length.
    /// </summary>
    /// <exception cref="SectorFetchException">Refused (401/403/404), larger than <paramref name="maxBytes"/>, or
    /// still incomplete after every attempt.</exception>
    public async Task<long> FetchFileAsync(string url, string? token, string tempPath, string finalPath, long maxBytes,
        CancellationToken cancellationToken = default)
    {
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(options.Timeout);
        Directory.CreateDirectory(Path.GetDirectoryName(tempPath)!);
        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        var limit = Math.Min(maxBytes <= 0 ? options.MaxBytes : maxBytes, options.MaxBytes);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var length = await AttemptAsync(url, token, tempPath, limit, overall.Token);
                File.Move(tempPath, finalPath, overwrite: true);
                return length;
            }
            catch (OperationCanceledException) when (overall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new SectorFetchException($"{url}: not complete within {options.Timeout}; {Length(tempPath)} bytes kept in {tempPath} to resume");
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= options.Attempts)
                {
                    throw new SectorFetchException(
                        $"{url}: failed after {attempt} attempts ({e.Message}); {Length(tempPath)} bytes kept in {tempPath} to resume", retryable: true);
                }

                LogRetry(url, attempt, e.Message);
            }
        }
    }

    /// <summary>
    /// Fetches a cache directory: its listing from <paramref name="url"/>, then each file with <c>?file=NAME</c>,
    /// into <paramref name="tempDirectory"/>, which is renamed to <paramref name="finalDirectory"/> once every file
    /// is complete. Files already complete in the temp directory are not fetched again. Returns the total bytes.
    /// </summary>
    /// <exception cref="SectorFetchException">Refused, a malformed listing, over <paramref name="maxBytes"/> in
    /// total, or a file that could not be completed.</exception>
    public async Task<long> FetchDirectoryAsync(string url, string? token, string tempDirectory, string finalDirectory, long maxBytes,
        CancellationToken cancellationToken = default)
    {
        var listing = await ListAsync(url, token, cancellationToken);
        var total = listing.Files.Sum(f => f.Size);
        var limit = Math.Min(maxBytes <= 0 ? options.MaxBytes : maxBytes, options.MaxBytes);
        if (total > limit)
        {
            throw new SectorFetchException($"{url}: the cache directory holds {total} bytes; the limit is {limit}");
        }

        Directory.CreateDirectory(tempDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(finalDirectory))!);
        foreach (var file in listing.Files)
        {
            var target = Path.Combine(tempDirectory, file.Name);
            if (File.Exists(target) && new FileInfo(target).Length == file.Size)
            {
                continue; // completed by an earlier, interrupted fetch
            }

            var length = await FetchFileAsync($"{url}?file={Uri.EscapeDataString(file.Name)}", token, target + ".part", target, file.Size, cancellationToken);
            if (length != file.Size)
            {
                File.Delete(target);
                throw new SectorFetchException($"{url}: {file.Name} is {length} bytes, the listing said {file.Size}", retryable: true);
            }
        }

        if (Directory.Exists(finalDirectory))
        {
            Directory.Delete(finalDirectory, recursive: true);
        }

        Directory.Move(tempDirectory, finalDirectory);
        return total;
    }

    private async Task<long> AttemptAsync(string url, string? token, string tempPath, long limit, CancellationToken cancellationToken)
    {
        var have = Length(tempPath);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        Authorize(request, token);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var response = await SendAsync(request, cancellationToken);
        long total;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when response.Content.Headers.ContentRange is { From: { } from, Length: { } length } && from == have:
                total = length;
                break;
            case HttpStatusCode.PartialContent:
                throw new SectorFetchException($"{url}: asked for bytes from {have}, got Content-Range {response.Content.Headers.ContentRange}");
            case HttpStatusCode.RequestedRangeNotSatisfiable when response.Content.Headers.ContentRange?.Length is { } size && size == have:
                return have; // the temp file was already complete
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                File.Delete(tempPath); // longer than the file: not a prefix of it
                throw new SectorFetchException($"{url}: {have} bytes kept from an earlier fetch are more than the file holds; starting over", retryable: true);
            case HttpStatusCode.OK:
                total = response.Content.Headers.ContentLength
                    ?? throw new SectorFetchException($"{url}: the answer has no Content-Length, so its completeness cannot be checked");
                have = 0; // the server ignored the range: start over
                break;
            default:
                throw Refusal(url, response);
        }

        if (total > limit)
        {
            throw new SectorFetchException($"{url}: the file is {total} bytes; the limit is {limit}");
        }

        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        await using (var file = new FileStream(tempPath, have == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 20];
            var written = have;
            while (written < total)
            {
                int read;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(options.IdleTimeout);
                    try
                    {
                        read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, total - written)), idle.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new IOException($"no data for {options.IdleTimeout.TotalSeconds:0} s");
                    }
                }

                if (read == 0)
                {
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                written += read;
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            if (written != total)
            {
                throw new IOException($"the transfer ended after {written} of {total} bytes");
            }
        }

        return total;
    }

    private async Task<CacheListing> ListAsync(string url, string? token, CancellationToken cancellationToken)
    {
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        overall.CancelAfter(options.IdleTimeout);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                Authorize(request, token);
                using var response = await SendAsync(request, overall.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw Refusal(url, response);
                }

                if (response.Content.Headers.ContentLength > ListingMaxBytes)
                {
                    throw new SectorFetchException($"{url}: the cache listing is larger than {ListingMaxBytes} bytes");
                }

                await using var body = await response.Content.ReadAsStreamAsync(overall.Token);
                var bytes = new byte[ListingMaxBytes + 1];
                var length = 0;
                int read;
                while ((read = await body.ReadAsync(bytes.AsMemory(length), overall.Token)) > 0)
                {
                    length += read;
                    if (length > ListingMaxBytes)
                    {
                        throw new SectorFetchException($"{url}: the cache listing is larger than {ListingMaxBytes} bytes");
                    }
                }

                return Validate(url, bytes.AsSpan(0, length));
            }
            catch (OperationCanceledException) when (overall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new SectorFetchException($"{url}: no cache listing within {options.IdleTimeout.TotalSeconds:0} s", retryable: true);
            }
            catch (Exception e) when (attempt < options.Attempts && !cancellationToken.IsCancellationRequested && IsTransient(e))
            {
                LogRetry(url, attempt, e.Message);
            }
        }
    }

    private CacheListing Validate(string url, ReadOnlySpan<byte> json)
    {
        CacheListing? listing;
        try
        {
            listing = JsonSerializer.Deserialize<CacheListing>(json, new JsonSerializerOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw new SectorFetchException($"{url}: the cache listing is not {{\"Files\":[{{\"Name\":...,\"Size\":...}}]}} ({e.Message})");
        }

        if (listing?.Files is not { } files || files.Count > options.MaxCacheFiles)
        {
            throw new SectorFetchException($"{url}: the cache listing must hold 0 to {options.MaxCacheFiles} files");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file is null || !CacheListing.IsValidName(file.Name) || file.Size < 0 || !names.Add(file.Name))
            {
                throw new SectorFetchException($"{url}: the cache listing names a file that is invalid, repeated or of negative size ('{file?.Name}')");
            }
        }

        return listing;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(options.IdleTimeout);
        try
        {
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, idle.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no answer within {options.IdleTimeout.TotalSeconds:0} s");
        }
    }

    private static void Authorize(HttpRequestMessage request, string? token)
    {
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private static SectorFetchException Refusal(string url, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                new SectorFetchException($"{url}: the silo refused the fetch token (HTTP {status})"),
            HttpStatusCode.NotFound => new SectorFetchException($"{url}: the silo does not hold this file (HTTP 404)"),
            _ => new SectorFetchException($"{url}: HTTP {status} {response.ReasonPhrase}", retryable: status >= 500),
        };
    }

    private static bool IsTransient(Exception e) =>
        e switch
        {
            SectorFetchException f => f.Retryable,
            HttpRequestException or IOException => true,
            _ => false,
        };

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching {Url}: attempt {Attempt} failed ({Reason}); resuming")]
    private partial void LogRetry(string url, int attempt, string reason);
}
