using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Orleans.Runtime;

namespace Granary.Gateway.Tests.Markets;

/// <summary>The SSRF pre-flight at <c>Propose</c> and the transfer restart when an accepted deal's grain activates again.</summary>
public sealed class DealTransferGuardTests(GuardedMarketsCluster cluster) : IClassFixture<GuardedMarketsCluster>
{
    [Theory]
    [InlineData("http://127.0.0.1:1/x", "127.0.0.1 is in 127.0.0.0/8 (loopback)")]
    [InlineData("http://10.1.2.3/data.car", "10.1.2.3 is in 10.0.0.0/8 (private)")]
    [InlineData("http://169.254.169.254/latest/meta-data", "169.254.169.254 is in 169.254.0.0/16 (link-local)")]
    [InlineData("http://[::1]:8080/x", "::1")]
    public async Task A_transfer_url_at_a_private_address_is_refused_at_propose_naming_the_address(string url, string reason)
    {
        var deal = await cluster.DealAsync(transfer: Http(url));

        var answer = await cluster.ProposeAsync(cluster.GatewayA, deal);

        Assert.False(answer.Accepted);
        Assert.Contains("transfer URL refused", answer.Message);
        Assert.Contains(reason, answer.Message);
        Assert.Contains("AllowPrivateTransferUrls", answer.Message);
        Assert.Null(await cluster.Grains.GetGrain<IDealGrain>(deal.DealUuid).GetStatus());
        Assert.DoesNotContain(cluster.Starts, s => s.Deal == deal.DealUuid);
    }

    [Fact]
    public async Task A_public_transfer_url_is_accepted_and_its_transfer_started_once()
    {
        var deal = await cluster.DealAsync(transfer: Http("https://client.example/data.car"));

        var answer = await cluster.ProposeAsync(cluster.GatewayA, deal);

        Assert.True(answer.Accepted, answer.Message);
        Assert.Equal([(deal.DealUuid, DealCheckpoint.Accepted)], cluster.Starts.Where(s => s.Deal == deal.DealUuid));
    }

    [Fact]
    public async Task An_accepted_online_deal_restarts_its_transfer_when_its_grain_activates_again_and_a_transferred_one_does_not()
    {
        var pending = await cluster.DealAsync(transfer: Http("https://client.example/pending.car"));
        var done = await cluster.DealAsync(transfer: Http("https://client.example/done.car"));
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, pending)).Accepted);
        Assert.True((await cluster.ProposeAsync(cluster.GatewayA, done)).Accepted);
        await cluster.Grains.GetGrain<IDealGrain>(done.DealUuid).RecordProgress(new DealProgress(DealCheckpoint.Transferred, "staged", 2000));

        // Deactivate every idle activation (as a silo restart would), then touch both deals: activation resumes only the pending one.
        var starts = (Guid deal) => cluster.Starts.Count(s => s.Deal == deal);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (starts(pending.DealUuid) < 2)
        {
            await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            Assert.NotNull(await cluster.Grains.GetGrain<IDealGrain>(pending.DealUuid).GetStatus());
            Assert.NotNull(await cluster.Grains.GetGrain<IDealGrain>(done.DealUuid).GetStatus());
            timeout.Token.ThrowIfCancellationRequested();
        }

        Assert.All(cluster.Starts.Where(s => s.Deal == pending.DealUuid), s => Assert.Equal(DealCheckpoint.Accepted, s.Checkpoint));
        Assert.Equal(1, starts(done.DealUuid));
        var status = (await cluster.Grains.GetGrain<IDealGrain>(done.DealUuid).GetStatus())!;
        Assert.Equal(DealCheckpoint.Transferred, status.Summary.Checkpoint);
    }

    private static DealTransfer Http(string url) => new("http", "", new HttpTransferRequest(url, null).ToJson(), 2000);
}
