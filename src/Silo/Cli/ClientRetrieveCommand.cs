using System.CommandLine;
using System.Text.Json;
using Granary.Filecoin;
using Granary.Filecoin.Cids;
using Granary.Filecoin.Pieces;
using Granary.Gateway.Wire;
using Granary.Silo.Client;

namespace Granary.Silo.Cli;

/// <summary>
/// <c>granary client retrieve (--piece CID | --root CID) --miner M OUT [--extract]</c> and <c>granary client query --miner M CID</c>:
/// the provider's retrieval endpoint found over <c>/fil/retrieval/transports/1.0.0</c>, then <c>GET /piece/{cid}</c>
/// (checked by recomputing its CommP) or <c>GET /ipfs/{cid}?format=car</c> (every block checked against its CID, the DAG
/// against the root; with <c>--extract</c> the file written instead of the CAR); and the retrieval query protocol.
/// </summary>
internal static class ClientRetrieveCommand
{
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromMinutes(30);

    public static Command Retrieve()
    {
        var piece = new Option<string?>("--piece") { Description = "Retrieve the piece with this (v1, baga…) piece CID over /piece/{cid}" };
        var root = new Option<string?>("--root") { Description = "Retrieve the DAG under this payload root CID as a CAR over /ipfs/{cid}?format=car" };
        var miner = new Option<string>("--miner") { Description = "The provider, e.g. f01000", Required = true };
        var extract = new Option<bool>("--extract") { Description = "With --root: write the UnixFS file's bytes to OUT instead of the CAR" };
        var output = new Argument<string>("OUT") { Description = "Where to write what is retrieved" };
        var verb = new Command("retrieve", "Retrieve a piece or a payload from a miner over HTTP and verify it (CommP of a piece, block CIDs of a CAR)")
        {
            piece, root, miner, extract, output,
        };
        verb.SetAction(async (r, ct) =>
        {
            var pieceText = r.GetValue(piece);
            var rootText = r.GetValue(root);
            if ((pieceText is null) == (rootText is null))
            {
                throw new CliError("name exactly one of --piece CID and --root CID", 2);
            }

            if (r.GetValue(extract) && rootText is null)
            {
                throw new CliError("--extract needs --root (a piece is a CAR padded with zeros: retrieve it by its root to extract the file)", 2);
            }

            var cid = ParseCid(pieceText ?? rootText!, pieceText is null ? "--root" : "--piece");
            if (pieceText is not null)
            {
                try
                {
                    PieceCid.CommitmentOf(cid);
                }
                catch (FilecoinFormatException e)
                {
                    throw new CliError($"--piece: {e.Message}", 2);
                }
            }

            var minerAddress = ClientCommand.Address(r.GetValue(miner)!, "--miner");
            var outPath = Path.GetFullPath(r.GetValue(output)!);
            Uri baseUrl;
            using (var chain = ClientChain.Connect(r.GetValue(CliOptions.Repo)))
            {
                await using var provider = await MarketsClient.ConnectAsync(chain.Node, minerAddress, ct);
                baseUrl = await Markets(() => provider.HttpRetrievalUrlAsync(ct));
            }

            var url = pieceText is not null ? new Uri(baseUrl, $"/piece/{cid}") : new Uri(baseUrl, $"/ipfs/{cid}?format=car");
            var part = outPath + ".part";
            var bytes = await DownloadAsync(url, part, pieceText is null, ct);
            try
            {
                if (pieceText is not null)
                {
                    await VerifyPieceAsync(part, cid, ct);
                    File.Move(part, outPath, overwrite: true);
                    Console.WriteLine($"retrieved piece {cid}: {bytes} bytes from {url}, CommP verified, written to {outPath}");
                    return;
                }

                if (r.GetValue(extract))
                {
                    long fileBytes;
                    await using (var car = File.OpenRead(part))
                    await using (var file = new FileStream(outPath, FileMode.Create, FileAccess.Write))
                    {
                        fileBytes = await CarCheck.ExtractAsync(car, cid, file, ct);
                    }

                    File.Delete(part);
                    Console.WriteLine($"retrieved {cid}: a {bytes}-byte CAR from {url}, every block verified; {fileBytes} bytes of file written to {outPath}");
                    return;
                }

                CarCheckResult checkedCar;
                await using (var car = File.OpenRead(part))
                {
                    checkedCar = await CarCheck.VerifyAsync(car, cid, ct);
                }

                File.Move(part, outPath, overwrite: true);
                Console.WriteLine($"retrieved {cid}: a {bytes}-byte CAR of {checkedCar.Blocks} blocks from {url}, every block verified, written to {outPath}");
            }
            catch (FilecoinFormatException e)
            {
                File.Delete(part);
                throw new CliError($"the data from {url} failed verification: {e.Message}");
            }
        });
        return verb;
    }

    public static Command Query()
    {
        var cid = new Argument<string>("CID") { Description = "The payload (root) CID" };
        var miner = new Option<string>("--miner") { Description = "The provider, e.g. f01000", Required = true };
        var piece = new Option<string?>("--piece") { Description = "Only in this piece (its v1 piece CID)" };
        var json = CliOptions.Json();
        var verb = new Command("query", "Ask a miner whether it can serve a payload (/fil/retrieval/qry/1.0.0): status, size, prices") { cid, miner, piece, json };
        verb.SetAction(async (r, ct) =>
        {
            var payload = ParseCid(r.GetValue(cid)!, "CID");
            var pieceCid = r.GetValue(piece) is { } p ? ParseCid(p, "--piece") : null;
            var minerAddress = ClientCommand.Address(r.GetValue(miner)!, "--miner");
            using var chain = ClientChain.Connect(r.GetValue(CliOptions.Repo));
            await using var provider = await MarketsClient.ConnectAsync(chain.Node, minerAddress, ct);
            var answer = await Markets(() => provider.QueryAsync(new RetrievalQuery(payload, pieceCid), ct));
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    Status = answer.Status.ToString(),
                    PieceCIDFound = answer.PieceCidFound.ToString(),
                    answer.Size,
                    PaymentAddress = answer.PaymentAddress.ToString('t'),
                    MinPricePerByte = answer.MinPricePerByte.AttoFil.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    UnsealPrice = answer.UnsealPrice.AttoFil.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    answer.MaxPaymentInterval,
                    answer.MaxPaymentIntervalIncrease,
                    answer.Message,
                }, new JsonSerializerOptions { WriteIndented = true }));
                return;
            }

            Console.WriteLine($"Status:            {answer.Status}");
            Console.WriteLine($"Piece CID found:   {answer.PieceCidFound}");
            Console.WriteLine($"Size:              {answer.Size} bytes");
            Console.WriteLine($"Payment address:   {answer.PaymentAddress.ToString('t')}");
            Console.WriteLine($"Min price / byte:  {answer.MinPricePerByte}");
            Console.WriteLine($"Unseal price:      {answer.UnsealPrice}");
            Console.WriteLine($"Payment interval:  {answer.MaxPaymentInterval} (+{answer.MaxPaymentIntervalIncrease})");
            if (answer.Message.Length > 0)
            {
                Console.WriteLine($"Message:           {answer.Message}");
            }
        });
        return verb;
    }

    private static async Task<long> DownloadAsync(Uri url, string path, bool car, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = HttpTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (car)
        {
            request.Headers.Accept.ParseAdd("application/vnd.ipld.car");
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                throw new CliError($"GET {url}: {(int)response.StatusCode} {response.ReasonPhrase}{(body.Length > 0 ? $": {body.Trim()[..Math.Min(body.Trim().Length, 300)]}" : "")}");
            }

            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using var body2 = await response.Content.ReadAsStreamAsync(ct);
            await body2.CopyToAsync(file, 1 << 20, ct);
            return file.Length;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is TaskCanceledException && !ct.IsCancellationRequested)
        {
            File.Delete(path);
            throw new CliError($"GET {url}: {e.Message}");
        }
    }

    // The bytes' CommP (zero-padded up to any larger piece size) must be the piece CID's commitment.
    private static async Task VerifyPieceAsync(string path, Cid piece, CancellationToken ct)
    {
        CommP.Result result;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            result = await CommP.ComputeAsync(stream, cancellationToken: ct);
        }

        var expected = PieceCid.CommitmentOf(piece);
        for (var size = result.PaddedSize; size <= 64L << 30; size *= 2)
        {
            if (CommP.ZeroPad(result.Commitment, result.PaddedSize, size).AsSpan().SequenceEqual(expected))
            {
                return;
            }
        }

        throw new FilecoinFormatException($"its CommP is {result.CidV1} ({result.PaddedSize} bytes padded), not {piece}");
    }

    private static Cid ParseCid(string text, string option)
    {
        try
        {
            return Cid.Parse(text.Trim());
        }
        catch (FilecoinFormatException e)
        {
            throw new CliError($"{option}: '{text}' is not a CID: {e.Message}", 2);
        }
    }

    private static async Task<T> Markets<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (MarketsUnreachableException e)
        {
            throw new CliError(e.Message);
        }
        catch (MarketsWireException e)
        {
            throw new CliError($"the provider's answer is malformed: {e.Message}");
        }
    }
}
