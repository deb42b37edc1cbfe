using System.Net;
using Granary.Gateway.Transfer;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Gateway.Tests;

/// <summary>The SSRF guard: every refused range and its edges, IPv4 forms inside IPv6, schemes, DNS, rebinding and redirects.</summary>
public sealed class TransferUrlPolicyTests : IDisposable
{
    private readonly string _staging = Directory.CreateTempSubdirectory("granary-ssrf-").FullName;

    public void Dispose() => Directory.Delete(_staging, recursive: true);

    [Theory]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.255", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.1", "private")]
    [InlineData("192.168.255.255", "private")]
    [InlineData("192.0.0.8", "IETF")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456::1", "unique local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped form of 127.0.0.1 is in 127.0.0.0/8 (loopback)")]
    [InlineData("::ffff:10.1.2.3", "IPv4-mapped form of 10.1.2.3 is in 10.0.0.0/8 (private)")]
    [InlineData("::ffff:169.254.169.254", "IPv4-mapped form of 169.254.169.254 is in 169.254.0.0/16 (link-local)")]
    [InlineData("::ffff:100.64.0.1", "IPv4-mapped")]
    [InlineData("64:ff9b::a00:1", "NAT64 form of 10.0.0.1")]
    [InlineData("2002:c0a8:0101::1", "6to4 form of 192.168.1.1")]
    [InlineData("::7f00:1", "IPv4-compatible form of 127.0.0.1")]
    public void Refused_ranges_name_the_address_and_range(string address, string expected)
    {
        var reason = TransferUrlPolicy.RefusalReason(IPAddress.Parse(address));
        Assert.NotNull(reason);
        Assert.Contains(expected, reason);
        Assert.Null(new TransferUrlPolicy(allowPrivate: true).Refuses(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700::1111")]
    [InlineData("fbff::1")]
    [InlineData("fe00::1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:0808:0808::1")]
    public void Public_addresses_and_the_edges_of_each_range_are_allowed(string address) =>
        Assert.Null(new TransferUrlPolicy(allowPrivate: false).Refuses(IPAddress.Parse(address)));

    [Theory]
    [InlineData("ftp://example.com/data.car")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://example.com/")]
    [InlineData("libp2p:///ip4/1.2.3.4/tcp/1/p2p/12D3KooWxyz")]
    [InlineData("http://user:secret@example.com/data.car")]
    public async Task Non_http_schemes_and_userinfo_are_refused_before_any_lookup(string url)
    {
        var lookups = 0;
        var policy = new TransferUrlPolicy(false, (_, _) => { lookups++; return Task.FromResult(new[] { IPAddress.Parse("8.8.8.8") }); });
        await Assert.ThrowsAsync<TransferRefusedException>(() => policy.CheckAsync(new Uri(url)));
        Assert.Equal(0, lookups);
    }

    [Fact]
    public async Task A_host_name_resolving_to_loopback_is_refused_unless_private_urls_are_allowed()
    {
        var refused = await Assert.ThrowsAsync<TransferRefusedException>(() => new TransferUrlPolicy(false).CheckAsync(new Uri("http://localhost:8080/x.car")));
        Assert.Contains("loopback", refused.Message);
        Assert.Contains("AllowPrivateTransferUrls", refused.Message);
        await new TransferUrlPolicy(true).CheckAsync(new Uri("http://localhost:8080/x.car"));

        var policy = new TransferUrlPolicy(false, (host, _) => Task.FromResult(host == "metadata.test"
            ? new[] { IPAddress.Parse("169.254.169.254"), IPAddress.Parse("fd00::1") }
            : new[] { IPAddress.Parse("10.0.0.7"), IPAddress.Parse("93.184.216.34") }));
        var metadata = await Assert.ThrowsAsync<TransferRefusedException>(() => policy.CheckAsync(new Uri("https://metadata.test/latest")));
        Assert.Contains("169.254.169.254", metadata.Message);
        Assert.Contains("fd00::1", metadata.Message);
        // A name with public and private addresses may be used, but only through its public ones.
        Assert.Equal([IPAddress.Parse("93.184.216.34")], await policy.ResolveAsync("mixed.test"));
    }

    [Fact]
    public async Task A_dns_answer_that_changes_after_the_check_cannot_steer_the_connection_to_loopback()
    {
        var server = await TransferTestServer.StartAsync(TransferTestServer.Bytes(new byte[1000]));
        await using var _ = server;
        var calls = 0;
        // First answer (the deal check): a public address. Second (at connect): the loopback address the server is on.
        var policy = new TransferUrlPolicy(false, (_, _) => Task.FromResult(new[] { IPAddress.Parse(++calls == 1 ? "93.184.216.34" : "127.0.0.1") }));
        var url = new Uri($"http://rebind.test:{server.Port}/data.car");
        await policy.CheckAsync(url);

        using var puller = Puller(policy);
        var error = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(Job(url, 1000)));
        Assert.False(error.Retryable);
        Assert.Contains("127.0.0.1 is in 127.0.0.0/8 (loopback)", error.Message);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Redirects_are_followed_only_to_allowed_addresses_and_at_most_three_times()
    {
        var data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        TransferTestServer server = null!;
        server = await TransferTestServer.StartAsync(async context =>
        {
            var path = context.Request.Path.Value!;
            switch (path)
            {
                case "/to-loopback":
                    context.Response.Redirect($"http://127.0.0.2:{server.Port}/data.car");
                    break;
                case "/to-private-name":
                    context.Response.Redirect("http://internal.test/data.car");
                    break;
                case "/to-ftp":
                    context.Response.Redirect("ftp://example.com/data.car");
                    break;
                case var p when p.StartsWith("/hop", StringComparison.Ordinal):
                    var n = int.Parse(p[4..], System.Globalization.CultureInfo.InvariantCulture);
                    context.Response.Redirect(n == 0 ? "/data.car" : $"/hop{n - 1}");
                    break;
                default:
                    await TransferTestServer.Bytes(data)(context);
                    break;
            }
        });
        await using var _ = server;
        // The server's own address is allowed by the operator's allow-list; every other private address is not.
        var policy = new TransferUrlPolicy(false, (host, _) => Task.FromResult(new[] { IPAddress.Parse(host == "internal.test" ? "192.168.1.10" : "127.0.0.1") }),
            [IPAddress.Loopback]);
        using var puller = Puller(policy);

        var loopback = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(Job(server.Url("/to-loopback"), data.Length)));
        Assert.Contains("redirect to http://127.0.0.2", loopback.Message);
        Assert.Contains("127.0.0.2 is in 127.0.0.0/8 (loopback)", loopback.Message);
        var named = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(Job(server.Url("/to-private-name"), data.Length)));
        Assert.Contains("192.168.1.10 is in 192.168.0.0/16 (private)", named.Message);
        var ftp = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(Job(server.Url("/to-ftp"), data.Length)));
        Assert.Contains("not an http or https URL", ftp.Message);
        var many = await Assert.ThrowsAsync<TransferFailedException>(() => puller.PullAsync(Job(server.Url("/hop3"), data.Length)));
        Assert.Contains("more than 3 redirects", many.Message);
        Assert.All(new[] { loopback, named, ftp, many }, e => Assert.False(e.Retryable));

        var job = Job(server.Url("/hop2"), data.Length);
        var path = await puller.PullAsync(job);
        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("127.0.0.2"));
    }

    private TransferPuller Puller(TransferUrlPolicy policy) =>
        new(policy, new StagingArea(_staging, 0), TransferOptions.Default with { Attempts = 1 }, NullLogger<TransferPuller>.Instance);

    private static TransferJob Job(Uri url, long size) =>
        new(Guid.NewGuid(), new HttpTransferParams(url, new Dictionary<string, string>()), size);
}
