using Granary.Chain.Rpc;

namespace Granary.Chain.Tests;

/// <summary>FULLNODE_API_INFO parsing as Lotus's cliutil.ParseApiInfo and DialArgs do it.</summary>
public sealed class ChainRpcEndpointTests
{
    [Theory]
    [InlineData("eyJhbGciOi.x.y:/ip4/127.0.0.1/tcp/1234/http", "http://127.0.0.1:1234/rpc/v1", "eyJhbGciOi.x.y")]
    [InlineData("TOKEN:/ip4/10.0.0.5/tcp/1234", "http://10.0.0.5:1234/rpc/v1", "TOKEN")]
    [InlineData("/ip4/127.0.0.1/tcp/1234/http", "http://127.0.0.1:1234/rpc/v1", null)]
    [InlineData("T:/ip6/::1/tcp/1234/http", "http://[::1]:1234/rpc/v1", "T")]
    [InlineData("T:/dns/lotus.example/tcp/443/wss", "https://lotus.example/rpc/v1", "T")]
    [InlineData("T:/dns4/lotus.example/tcp/8443/tls/http", "https://lotus.example:8443/rpc/v1", "T")]
    [InlineData("T:/dns6/lotus.example/tcp/1234/ws", "http://lotus.example:1234/rpc/v1", "T")]
    [InlineData("T:http://127.0.0.1:1234", "http://127.0.0.1:1234/rpc/v1", "T")]
    [InlineData("http://127.0.0.1:1234", "http://127.0.0.1:1234/rpc/v1", null)]
    [InlineData("T:ws://127.0.0.1:1234/rpc/v0", "http://127.0.0.1:1234/rpc/v0", "T")]
    [InlineData("T:wss://node.example/api/rpc/v1", "https://node.example/api/rpc/v1", "T")]
    public void Parses_token_and_address(string apiInfo, string url, string? token)
    {
        var endpoint = ChainRpcEndpoint.Parse(apiInfo);
        Assert.Equal(new Uri(url), endpoint.HttpUrl);
        Assert.Equal(token, endpoint.Token);
    }

    [Fact]
    public void The_version_is_an_option_and_read_back_from_the_path()
    {
        var v0 = ChainRpcEndpoint.Parse("T:/ip4/127.0.0.1/tcp/1234/http", "v0");
        Assert.Equal(new Uri("http://127.0.0.1:1234/rpc/v0"), v0.HttpUrl);
        Assert.Equal("v0", v0.ApiVersion);
        Assert.Equal("v1", ChainRpcEndpoint.Parse("/ip4/127.0.0.1/tcp/1/http").ApiVersion);
        Assert.Equal(new Uri("ws://127.0.0.1:1234/rpc/v0"), v0.WebSocketUrl);
        Assert.Equal(new Uri("wss://lotus.example/rpc/v1"), ChainRpcEndpoint.Parse("/dns/lotus.example/tcp/443/wss").WebSocketUrl);
        Assert.Throws<ArgumentOutOfRangeException>(() => ChainRpcEndpoint.Parse("/ip4/127.0.0.1/tcp/1/http", "v2"));
    }

    [Fact]
    public void The_token_is_not_in_the_printed_form() =>
        Assert.DoesNotContain("SECRET", ChainRpcEndpoint.Parse("SECRET:/ip4/127.0.0.1/tcp/1234/http").ToString());

    [Theory]
    [InlineData("T:/ip4/999.0.0.1/tcp/1234/http")]
    [InlineData("T:/ip4/::1/tcp/1234/http")]
    [InlineData("T:/ip6/127.0.0.1/tcp/1234/http")]
    [InlineData("T:/ip4/127.0.0.1/udp/1234/quic")]
    [InlineData("T:/ip4/127.0.0.1/tcp/0/http")]
    [InlineData("T:/ip4/127.0.0.1/tcp/70000/http")]
    [InlineData("T:/ip4/127.0.0.1/tcp/1234/p2p/QmFoo")]
    [InlineData("T:/ip4/127.0.0.1")]
    [InlineData("T:/unix/tmp/lotus.sock")]
    [InlineData("T:ftp://127.0.0.1:1234")]
    [InlineData("T:not an address")]
    [InlineData("TO KEN:/ip4/127.0.0.1/tcp/1234/http")]
    [InlineData("")]
    public void Refuses_what_it_cannot_dial(string apiInfo) =>
        Assert.Throws<FormatException>(() => ChainRpcEndpoint.Parse(apiInfo));
}
