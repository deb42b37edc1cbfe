using System.Diagnostics;
using System.Text.Json;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Chain.Json;
using Granary.Chain.Model;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Tokens;

namespace Granary.Chain.Tests;

/// <summary>
/// An independent client, Filecoin Shipyard's <c>@filecoin-shipyard/lotus-client-rpc</c> from npm
/// (tests/interop/lotus/client.mjs), calls the devnet through <see cref="Rpc.ChainRpcServer"/> in Kestrel: over
/// HTTP for calls and over a websocket for ChainNotify, as it would call Lotus.
/// </summary>
public sealed class ChainRpcLotusClientTests
{
    private const string Token = "lotus-client-token";

    [Fact]
    public async Task The_Lotus_JS_client_reads_the_devnet_and_pushes_a_message()
    {
        await using var chain = DevnetTestChain.Create(accounts: 2);
        var owner = await chain.Node.StateLookupID(chain.Accounts[0], null);
        var create = new CreateMinerParams(owner, owner, 10, [0x00, 0x04, 7, 7, 7, 7], []).ToCbor();
        var created = await chain.ExecAsync(0, Address.FromId(SystemActors.Power), TokenAmount.Zero, ActorMethods.Power.CreateMiner, create);
        var miner = CreateMinerReturn.FromCbor(created.Return).IdAddress;
        await using var host = await ChainRpcTestHost.StartAsync(chain.Node, Token);

        var address = chain.Accounts[1];
        var lines = await RunClientAsync(host.Url().ToString(), Token, miner.ToString('t'), address.ToString('t'));

        var head = await chain.Node.ChainHead();
        var chainHead = Result(lines, "ChainHead");
        Assert.Equal(head.Height, chainHead.GetProperty("Height").GetInt64());
        Assert.Equal(head.Key.Cids[0].ToString(), chainHead.GetProperty("Cids")[0].GetProperty("/").GetString());
        Assert.Equal(head.Height, chainHead.GetProperty("Blocks")[0].GetProperty("Height").GetInt64());

        var info = Result(lines, "StateMinerInfo");
        Assert.Equal(owner.ToString('t'), info.GetProperty("Owner").GetString());
        Assert.Equal(owner.ToString('t'), info.GetProperty("Worker").GetString());
        Assert.Equal(2048, info.GetProperty("SectorSize").GetInt64());
        Assert.Equal(Filecoin.Encoding.Base58.Encode([0x00, 0x04, 7, 7, 7, 7]), info.GetProperty("PeerId").GetString());

        Assert.Equal((await chain.Node.StateLookupID(address, null)).ToString('t'), Result(lines, "StateLookupID").GetString());
        Assert.Equal(TokenAmount.FromFil(1_000).AttoFil.ToString(), Result(lines, "WalletBalance").GetString());

        // The JS client sent a bare message; the devnet filled it in, signed it with its wallet key and pooled it.
        var pushed = LotusJson.Deserialize<SignedMessage>(Result(lines, "MpoolPushMessage"))!;
        Assert.True(pushed.VerifySignature());
        Assert.Equal(address, pushed.Message.From);
        Assert.Equal(Result(lines, "MpoolPushMessage").GetProperty("CID").GetProperty("/").GetString(), pushed.Cid().ToString());
        await chain.AdvanceAsync();
        Assert.Equal(0, (await chain.WaitAsync(pushed.Cid())).Receipt.ExitCode);

        var refused = Line(lines, "StateMinerInfoUnknown");
        Assert.False(refused.TryGetProperty("result", out _));
        var expected = await Assert.ThrowsAnyAsync<ChainException>(() => chain.Node.StateMinerInfo(Address.FromId(99999), null));
        Assert.Equal(expected.Message, refused.GetProperty("error").GetString());

        var notify = Result(lines, "ChainNotify");
        var current = Assert.Single(notify.EnumerateArray());
        Assert.Equal("current", current.GetProperty("Type").GetString());
        Assert.Equal(head.Height, current.GetProperty("Val").GetProperty("Height").GetInt64());
    }

    private static JsonElement Result(IReadOnlyList<JsonElement> lines, string call)
    {
        var line = Line(lines, call);
        Assert.True(line.TryGetProperty("result", out var result), $"{call} failed: {line}");
        return result;
    }

    private static JsonElement Line(IReadOnlyList<JsonElement> lines, string call) =>
        Assert.Single(lines, l => l.GetProperty("call").GetString() == call);

    private static async Task<IReadOnlyList<JsonElement>> RunClientAsync(params string[] args)
    {
        var dir = Path.Combine(LotusJsonVectors.RepoRoot(), "tests", "interop", "lotus");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            throw new InvalidOperationException($"{dir}/node_modules is missing: run ./test.sh (or tests/setup/30-npm.sh) to install the Lotus JS client");
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("client.mjs");
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("node is not installed");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node client.mjs did not finish: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"node client.mjs failed ({process.ExitCode}): {await stderr}");
        return [.. (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }
}
