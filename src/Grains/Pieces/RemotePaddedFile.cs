using System.Net;
using System.Net.Http.Headers;

namespace Granary.Grains.Pieces;

/// <summary>
/// An unsealed sector file on another silo, read through that silo's <c>/remote/unsealed/…</c> endpoint with HTTP
/// <c>Range</c> requests, limited to one piece's window of the file. Sequential reads share one response; a read
/// elsewhere starts a new request (a short forward jump is read through instead, which is cheaper than a new one).
/// </summary>
/// <param name="http">The client (no redirects are expected; the URL comes from the sector index).</param>
/// <param name="url">The file, e.g. <c>http://10.0.2.11:2345/remote/unsealed/s-t01000-5</c>.</param>
/// <param name="token">The bearer token the silo's endpoint accepts.</param>
/// <param name="windowStart">The first padded byte that will be read.</param>
/// <param name="windowEnd">One past the last padded byte that will be read.</param>
public sealed class RemotePaddedFile(HttpClient http, string url, string? token, long windowStart, long windowEnd) : IPaddedSource
{
    private const long ReadThroughLimit = 1 << 20;
    private HttpResponseMessage? _response;
    private Stream? _body;
    private long _position = -1;

    /// <inheritdoc />
    public string Description => url;

    /// <inheritdoc />
    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (offset < windowStart || offset >= windowEnd || buffer.IsEmpty)
        {
            return 0;
        }

        if (_body is not null && offset > _position && offset - _position <= ReadThroughLimit)
        {
            await SkipAsync(offset - _position, cancellationToken);
        }

        if (_body is null || offset != _position)
        {
            await OpenAsync(offset, cancellationToken);
        }

        var n = await _body!.ReadAsync(buffer[..(int)Math.Min(buffer.Length, windowEnd - offset)], cancellationToken);
        if (n == 0)
        {
            throw new IOException($"{url} ended at byte {offset}, before {windowEnd}");
        }

        _position += n;
        return n;
    }

    private async Task SkipAsync(long count, CancellationToken cancellationToken)
    {
        var scratch = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = await _body!.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken);
            if (n == 0)
            {
                throw new IOException($"{url} ended at byte {_position}, before {windowEnd}");
            }

            count -= n;
            _position += n;
        }
    }

    private async Task OpenAsync(long offset, CancellationToken cancellationToken)
    {
        Close();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new RangeHeaderValue(offset, windowEnd - 1);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.PartialContent || response.Content.Headers.ContentRange?.From != offset)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new IOException($"{url} answered {status} to a range request at byte {offset} (expected 206 from {offset})");
        }

        _response = response;
        _body = await response.Content.ReadAsStreamAsync(cancellationToken);
        _position = offset;
    }

    private void Close()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
