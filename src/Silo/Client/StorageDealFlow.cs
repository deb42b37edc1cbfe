using System.Numerics;
using Granary.Chain;
using Granary.Chain.Devnet;
using Granary.Chain.Devnet.Actors;
using Granary.Filecoin;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Car;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Pieces;
using Granary.Filecoin.Tokens;
using Granary.Gateway.Wire;
using Granary.Grains.Deals;
using Granary.Silo.Cli;
using Granary.Silo.Configuration;

namespace Granary.Silo.Client;

/// <summary>What <c>granary client deal</c> was asked for.</summary>
/// <param name="File">The file to store (or a CAR with <paramref name="IsCar"/>).</param>
/// <param name="IsCar">The file already is a CARv1; its first root is the deal's root.</param>
/// <param name="Miner">The provider.</param>
/// <param name="PricePerGiBEpoch">attoFIL per GiB per epoch.</param>
/// <param name="Duration">Epochs the deal lasts.</param>
/// <param name="StartIn">Epochs from the head to the deal's start.</param>
/// <param name="Verified">Propose a verified (DataCap) deal.</param>
/// <param name="ProviderCollateral">The provider collateral asked for.</param>
/// <param name="From">The client address; null: the wallet's default.</param>
/// <param name="HttpUrl">Where the provider pulls the CAR from; null: serve it from here.</param>
/// <param name="Serve">Where the built-in server listens.</param>
/// <param name="ServeHost">The host written in the transfer URL; null: the listen host.</param>
/// <param name="CarOut">Where to keep the built CAR; null: a temporary file.</param>
/// <param name="Wait">How far to follow the deal.</param>
/// <param name="Timeout">Longest the whole command may follow the deal.</param>
public sealed record DealRequest(
    string File, bool IsCar, Address Miner, BigInteger PricePerGiBEpoch, long Duration, long StartIn, bool Verified, TokenAmount ProviderCollateral,
    Address? From, Uri? HttpUrl, HttpListenAddress Serve, string? ServeHost, string? CarOut, DealWait Wait, TimeSpan Timeout);

/// <summary>
/// The client side of an online storage deal, as Boost's <c>boost deal</c>: the file as a CAR (<see cref="UnixFsCar"/>),
/// its CommP, the provider found on chain, market escrow topped up (<c>AddBalance</c> from the client key, awaited),
/// the CAR served over HTTP (<see cref="CarServer"/>), the proposal signed by the client key and sent on
/// <c>/fil/storage/mk/1.2.1</c>, then <c>/fil/storage/status/1.2.0</c> followed (one line per change on
/// <paramref name="progress"/>) until <see cref="DealRequest.Wait"/>. The server stays up until the provider has the
/// data. A refusal, a failed deal or a lost provider past the timeout is a <see cref="CliError"/> with the reason.
/// </summary>
/// <param name="chain">The chain node.</param>
/// <param name="wallet">The client's wallet.</param>
/// <param name="progress">Where progress lines go (stderr).</param>
/// <param name="output">Where the result lines go (stdout).</param>
public sealed class StorageDealFlow(ClientChain chain, ClientWallet wallet, TextWriter progress, TextWriter output)
{
    /// <summary>How often the status is asked.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Makes the deal; returns its UUID once <see cref="DealRequest.Wait"/> is reached.</summary>
    /// <exception cref="CliError">Any refusal or failure, with its reason.</exception>
    public async Task<Guid> RunAsync(DealRequest request, CancellationToken cancellationToken)
    {
        var client = request.From ?? wallet.Default()
            ?? throw new CliError($"no client wallet in {wallet.Root}: make one with `granary client wallet new` (and fund it with `granary client wallet fund`)");
        var key = wallet.Key(client) ?? throw new CliError($"--from {Text(client)}: no key for it in {wallet.KeystorePath}");
        if (!System.IO.File.Exists(request.File))
        {
            throw new CliError($"{request.File}: no such file", 2);
        }

        var uuid = Guid.NewGuid();
        string? temporary = null;
        string car;
        Cid root;
        if (request.IsCar)
        {
            car = request.File;
            root = await CarRootAsync(car, cancellationToken);
        }
        else
        {
            car = request.CarOut ?? (temporary = Path.Combine(Path.GetTempPath(), $"granary-client-{uuid}.car"));
            await using (var stream = new FileStream(car, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, FileOptions.Asynchronous))
            {
                var built = await UnixFsCar.WriteAsync(request.File, stream, cancellationToken: cancellationToken);
                root = built.Root;
                progress.WriteLine($"CAR: root {built.Root}, {built.Blocks} blocks, {built.CarSize} bytes ({built.FileSize} bytes of file) in {car}");
            }
        }

        try
        {
            return await DealAsync(request, uuid, client, key, car, root, cancellationToken);
        }
        finally
        {
            if (temporary is not null)
            {
                System.IO.File.Delete(temporary);
            }
        }
    }

    private async Task<Guid> DealAsync(DealRequest request, Guid uuid, Address client, byte[] key, string car, Cid root, CancellationToken cancellationToken)
    {
        var carSize = new FileInfo(car).Length;
        CommP.Result commp;
        await using (var stream = new FileStream(car, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            commp = await CommP.ComputeAsync(stream, cancellationToken: cancellationToken);
        }

        progress.WriteLine($"piece: {commp.CidV1}, {commp.PaddedSize} bytes padded");
        var node = chain.Node;
        await using var provider = await MarketsClient.ConnectAsync(node, request.Miner, cancellationToken);
        progress.WriteLine($"provider: {Text(request.Miner)}, peer {provider.Peer} at {string.Join(" ", provider.Addresses)}");

        var head = await Chain(() => node.ChainHead(cancellationToken), "read the chain head");
        var pricePerEpoch = request.PricePerGiBEpoch * commp.PaddedSize / (1L << 30);
        var start = head.Height + request.StartIn;
        var proposal = new DealProposal(commp.CidV1, commp.PaddedSize, request.Verified, client, request.Miner, DealLabel.FromString(root.ToString()),
            start, start + request.Duration, new TokenAmount(pricePerEpoch), request.ProviderCollateral, TokenAmount.Zero);
        await EnsureEscrowAsync(client, key, proposal.TotalStorageFee, cancellationToken);

        CarServer? server = null;
        Uri url;
        var headers = new Dictionary<string, string>();
        if (request.HttpUrl is { } given)
        {
            url = given;
        }
        else
        {
            server = await CarServer.StartAsync(car, uuid, request.Serve, request.ServeHost);
            url = server.Url;
            headers["Authorization"] = $"Bearer {server.Token}";
            progress.WriteLine($"serving the CAR at {url}");
        }

        await using var serving = server;
        var transfer = new DealTransfer(DealTransferSpec.Http, "", new HttpTransferRequest(url.ToString(), headers).ToJson(), (ulong)carSize);
        var deal = new DealParams(uuid, false, ClientDealProposal.SignSecp256k1(proposal, key), root, transfer, false, false);
        DealResponse response;
        try
        {
            response = await provider.ProposeAsync(deal, cancellationToken);
        }
        catch (MarketsUnreachableException e)
        {
            throw new CliError(e.Message);
        }
        catch (MarketsWireException e)
        {
            throw new CliError($"miner {Text(request.Miner)} answered the proposal with a malformed response: {e.Message}");
        }

        if (!response.Accepted)
        {
            throw new CliError($"deal refused by {Text(request.Miner)}: {response.Message}");
        }

        output.WriteLine($"deal {uuid} accepted by {Text(request.Miner)} (proposal {deal.ClientDealProposal.Cid()}, piece {commp.CidV1}, root {root})");
        await FollowAsync(provider, uuid, key, carSize, request, server is not null, cancellationToken);
        return uuid;
    }

    // Polls the status until the target (and, when serving, until the data was transferred); a lost provider is retried until the timeout.
    private async Task FollowAsync(MarketsClient provider, Guid uuid, byte[] key, long carSize, DealRequest request, bool serving, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + request.Timeout;
        var statusRequest = new DealStatusRequest(uuid, Secp256k1.Sign(key, DealStatusRequest.SignedBytes(uuid)));
        string? last = null;
        string? lastProblem = null;
        while (true)
        {
            DealStatusResponse? status = null;
            try
            {
                status = await provider.StatusAsync(statusRequest, cancellationToken);
            }
            catch (Exception e) when (e is MarketsUnreachableException or MarketsWireException)
            {
                if (e.Message != lastProblem)
                {
                    progress.WriteLine($"{Now()} cannot get the deal's status ({e.Message}); retrying");
                    lastProblem = e.Message;
                }
            }

            if (status is not null)
            {
                lastProblem = null;
                if (status.Error.Length > 0 || status.DealStatus is null)
                {
                    throw new CliError($"deal {uuid}: the provider refused the status request: {(status.Error.Length > 0 ? status.Error : "no status")}");
                }

                var s = status.DealStatus;
                if (!Enum.TryParse<DealCheckpoint>(s.Status, out var checkpoint))
                {
                    throw new CliError($"deal {uuid}: the provider reports an unknown checkpoint '{s.Status}'");
                }

                var line = Describe(s, checkpoint, status.NBytesReceived, carSize);
                if (line != last)
                {
                    progress.WriteLine($"{Now()} {line}");
                    last = line;
                }

                if (checkpoint == DealCheckpoint.Complete || s.Error.Length > 0)
                {
                    throw new CliError($"deal {uuid} failed: {(s.Error.Length > 0 ? s.Error : "the provider ended it")}");
                }

                var transferred = checkpoint >= DealCheckpoint.Transferred;
                if (DealWaits.Reached(request.Wait, checkpoint, s.SealingStatus) && (!serving || transferred))
                {
                    output.WriteLine($"deal {uuid}: {line}");
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new CliError($"deal {uuid} did not reach {request.Wait.ToString().ToLowerInvariant()} within {request.Timeout.TotalMinutes:0} min "
                    + $"(last: {last ?? lastProblem ?? "no status"})");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static string Describe(DealStatus s, DealCheckpoint checkpoint, ulong received, long carSize) => checkpoint switch
    {
        DealCheckpoint.Accepted => $"Accepted: received {Bytes((long)received)} of {Bytes(carSize)} ({(carSize == 0 ? 0 : 100.0 * received / carSize):0}%)",
        DealCheckpoint.Transferred => $"Transferred: {Bytes((long)received)}, CommP checked; waiting to be published",
        DealCheckpoint.Published => $"Published: message {s.PublishCid}",
        DealCheckpoint.PublishConfirmed => $"PublishConfirmed: deal id {s.ChainDealId}",
        DealCheckpoint.Complete => $"Complete: {s.Error}",
        _ => $"{checkpoint}: deal id {s.ChainDealId}" + (s.SealingStatus.Length > 0 ? $", sector {s.SealingStatus}" : ""),
    };

    // Adds to the client's market escrow what the deal needs beyond what is free there, from the client key.
    private async Task EnsureEscrowAsync(Address client, byte[] key, TokenAmount required, CancellationToken cancellationToken)
    {
        var node = chain.Node;
        var market = await Chain(() => node.StateMarketBalance(client, null, cancellationToken), "read the client's market balance");
        var available = market.Escrow - market.Locked;
        if (available >= required)
        {
            progress.WriteLine($"escrow: {available} free covers the deal's {required}");
            return;
        }

        var missing = required - available;
        var parameters = MarketAddBalanceParams.ToCbor(client);
        var balance = await Chain(() => node.WalletBalance(client, cancellationToken), "read the client's balance");
        var cost = missing + ClientChain.MaxGas(parameters.Length);
        if (balance < cost)
        {
            throw new CliError($"wallet {Text(client)} holds {balance}; adding {missing} to market escrow needs {cost} with gas "
                + "(fund it with `granary client wallet fund`)");
        }

        progress.WriteLine($"escrow: adding {missing} (free {available}, the deal needs {required})");
        var message = new Message(0, Address.FromId(SystemActors.Market), client, 0, missing, 0, TokenAmount.Zero, TokenAmount.Zero,
            ActorMethods.Market.AddBalance, parameters);
        await chain.SendSignedAsync(message, key, "MarketAddBalance", progress, cancellationToken);
    }

    private static async Task<Cid> CarRootAsync(string car, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(car, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var reader = await CarReader.OpenAsync(stream, CarLimits.Default, cancellationToken);
            return reader.Version == 1 ? reader.Roots[0] : throw new CliError($"{car} is a CARv{reader.Version}; a deal's data is a CARv1", 2);
        }
        catch (FilecoinFormatException e)
        {
            throw new CliError($"{car} is not a CAR: {e.Message}", 2);
        }
    }

    private async Task<T> Chain<T>(Func<Task<T>> call, string what)
    {
        try
        {
            return await call();
        }
        catch (ChainException e)
        {
            throw new CliError($"cannot {what} from {chain.Description}: {e.Message}");
        }
    }

    private static string Now() => DateTime.Now.ToString("HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    private static string Text(Address address) => address.ToString('t');

    /// <summary>Bytes in binary units.</summary>
    public static string Bytes(long bytes) =>
        bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GiB" : bytes >= 1 << 20 ? $"{bytes / (double)(1 << 20):0.0} MiB"
        : bytes >= 1 << 10 ? $"{bytes / 1024.0:0.0} KiB" : $"{bytes} B";
}
