using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Transfer;

/// <summary>
/// Downloads a deal's data from the client's URL (Boost's <c>http</c> transfer) into the staging area: streamed to
/// <c>UUID.car.part</c> and renamed to <c>UUID.car</c> only when exactly <see cref="TransferJob.Size"/> bytes have
/// arrived. A part left by an interrupted attempt, or by a previous run of the process, is resumed with
/// <c>Range: bytes=N-</c>; a server that answers 200 instead of 206 is read from the start again. More bytes than the
/// size (announced or sent) and a body that ends short are terminal errors; refused URLs (see
/// <see cref="TransferUrlPolicy"/>) too. Connection failures, 5xx answers and stalls longer than
/// <see cref="TransferOptions.StallTimeout"/> are retried up to <see cref="TransferOptions.Attempts"/> times.
/// </summary>
public sealed partial class TransferPuller : IDisposable
{
    private const int BufferSize = 1 << 20;
    private static readonly string[] CredentialHeaders = ["Authorization", "Cookie", "Proxy-Authorization"];

    private readonly TransferOptions _options;
    private readonly StagingArea _staging;
    private readonly ILogger<TransferPuller> _logger;
    private readonly HttpClient _http;

    /// <summary>Creates the puller; its connections go through <paramref name="policy"/>'s guard.</summary>
    public TransferPuller(TransferUrlPolicy policy, StagingArea staging, TransferOptions options, ILogger<TransferPuller> logger)
    {
        Policy = policy;
        _staging = staging;
        _options = options;
        _logger = logger;
        _http = new HttpClient(policy.CreateHandler(options.ConnectTimeout)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The SSRF guard.</summary>
    public TransferUrlPolicy Policy { get; }

    /// <summary>The staging area.</summary>
    public StagingArea Staging => _staging;

    /// <summary>
    /// Pulls the job's data; returns the complete staged file. Already complete: returns at once. Cancellation keeps
    /// the part for a later resume.
    /// </summary>
    /// <param name="job">What to pull.</param>
    /// <param name="progress">Bytes received so far (including resumed ones), reported as they arrive.</param>
    /// <param name="cancellationToken">Stops the transfer.</param>
    /// <exception cref="TransferFailedException">With <see cref="TransferFailedException.Retryable"/> telling whether a later try may work.</exception>
    public async Task<string> PullAsync(TransferJob job, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (job.Size <= 0)
        {
            throw new TransferFailedException($"transfer size {job.Size} is not positive", retryable: false);
        }

        TransferUrlPolicy.CheckSchemeOrFail(job.Params.Url);
        var part = _staging.PartPath(job.Deal);
        var final = _staging.FilePath(job.Deal);
        if (File.Exists(final) && new FileInfo(final).Length == job.Size)
        {
            progress?.Report(job.Size);
            return final;
        }

        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await AttemptAsync(job, part, progress, cancellationToken))
                {
                    File.Move(part, final, overwrite: true);
                    LogComplete(job.Deal, job.Size);
                    return final;
                }
            }
            catch (TransferFailedException e) when (e.Retryable && attempt < _options.Attempts && !cancellationToken.IsCancellationRequested)
            {
                LogRetry(job.Deal, attempt, e.Message);
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
            catch (TransferFailedException e) when (e.Retryable)
            {
                throw new TransferFailedException($"{e.Message} (after {attempt} attempts; {Length(part)} bytes kept to resume)", retryable: true, e);
            }
        }
    }

    // One request. True when the part is complete; false to go again at once (the server refused the range).
    private async Task<bool> AttemptAsync(TransferJob job, string part, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var have = Length(part);
        if (have > job.Size)
        {
            File.Delete(part);
            have = 0;
        }

        if (have == job.Size)
        {
            return true;
        }

        using var response = await SendAsync(job.Params, have, cancellationToken);
        var append = false;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when have > 0 && response.Content.Headers.ContentRange is { From: var from } && from == have:
                append = true;
                break;
            case HttpStatusCode.PartialContent:
                throw new TransferFailedException($"server answered 206 for bytes {response.Content.Headers.ContentRange} to a request from byte {have}", retryable: true);
            case HttpStatusCode.OK:
                if (have > 0)
                {
                    LogRangeIgnored(job.Deal, have);
                }

                break;
            case HttpStatusCode.RequestedRangeNotSatisfiable when have > 0:
                // The server has fewer bytes than we kept (it changed, or never had them): start over.
                File.Delete(part);
                return false;
            case var status when (int)status >= 500 || status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.RequestTimeout:
                throw new TransferFailedException($"server answered {(int)status} {response.ReasonPhrase}", retryable: true);
            case var status:
                throw new TransferFailedException($"server answered {(int)status} {response.ReasonPhrase}", retryable: false);
        }

        var start = append ? have : 0;
        if (response.Content.Headers.ContentLength is { } announced && start + announced != job.Size)
        {
            throw new TransferFailedException(start + announced > job.Size
                ? $"server sends {start + announced} bytes but the deal's transfer size is {job.Size}"
                : $"server has only {start + announced} bytes but the deal's transfer size is {job.Size}", retryable: false);
        }

        await using var file = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[BufferSize];
        var received = start;
        progress?.Report(received);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            int n;
            stall.CancelAfter(_options.StallTimeout);
            try
            {
                n = await body.ReadAsync(buffer, stall.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await file.FlushAsync(CancellationToken.None);
                throw new TransferFailedException($"transfer stalled: no data for {_options.StallTimeout.TotalSeconds:0.#} s at byte {received} of {job.Size}", retryable: true);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                await file.FlushAsync(CancellationToken.None);
                throw new TransferFailedException($"connection lost at byte {received} of {job.Size}: {e.Message}", retryable: true, e);
            }

            if (n == 0)
            {
                break;
            }

            if (received + n > job.Size)
            {
                throw new TransferFailedException($"server sent more than the deal's transfer size of {job.Size} bytes", retryable: false);
            }

            await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            received += n;
            Grains.Metrics.GranaryMetrics.TransferReceived(n);
            progress?.Report(received);
        }

        await file.FlushAsync(cancellationToken);
        if (received < job.Size)
        {
            throw new TransferFailedException($"server's data ended at {received} bytes but the deal's transfer size is {job.Size}", retryable: false);
        }

        file.Flush(flushToDisk: true);
        return true;
    }

    // GET with the client's headers; redirects followed (each target's scheme checked here, its address at connect).
    private async Task<HttpResponseMessage> SendAsync(HttpTransferParams transfer, long from, CancellationToken cancellationToken)
    {
        var url = transfer.Url;
        for (var hop = 0; ; hop++)
        {
            TransferUrlPolicy.CheckSchemeOrFail(url);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            var crossHost = !string.Equals(url.IdnHost, transfer.Url.IdnHost, StringComparison.OrdinalIgnoreCase);
            foreach (var (name, value) in transfer.Headers)
            {
                // Like Go's client: credentials don't follow a redirect to another host.
                if (crossHost && CredentialHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new TransferFailedException($"transfer header '{name}' cannot be sent", retryable: false);
                }
            }

            if (from > 0)
            {
                request.Headers.Range = new RangeHeaderValue(from, null);
            }

            HttpResponseMessage response;
            using var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            headers.CancelAfter(_options.ResponseTimeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headers.Token);
            }
            catch (HttpRequestException e) when (Refusal(e) is { } refused)
            {
                throw new TransferFailedException(hop == 0 ? refused.Message : $"redirect to {url} refused: {refused.Message}", retryable: false, refused);
            }
            catch (HttpRequestException e)
            {
                throw new TransferFailedException($"cannot reach {url.GetLeftPart(UriPartial.Authority)}: {e.Message}", retryable: true, e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TransferFailedException(
                    $"no response from {url.GetLeftPart(UriPartial.Authority)} within {Stopwatch.GetElapsedTime(started).TotalSeconds:0.#} s", retryable: true);
            }

            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop >= TransferUrlPolicy.MaxRedirects)
                {
                    throw new TransferFailedException($"more than {TransferUrlPolicy.MaxRedirects} redirects from {transfer.Url}", retryable: false);
                }

                url = new Uri(url, location);
                continue;
            }

            return response;
        }
    }

    private static TransferRefusedException? Refusal(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is TransferRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    private static long Length(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Deal {Deal}: transfer complete, {Bytes} bytes")]
    private partial void LogComplete(Guid deal, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deal {Deal}: transfer attempt {Attempt} failed, retrying: {Error}")]
    private partial void LogRetry(Guid deal, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deal {Deal}: the server ignored the resume from byte {From}; downloading from the start")]
    private partial void LogRangeIgnored(Guid deal, long from);
}
