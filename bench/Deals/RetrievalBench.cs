using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Granary.Filecoin.Pieces;
using Granary.Gateway.Retrieval;
using Granary.Grains;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Storage;
using Granary.Proofs;
using Granary.Proofs.Seal;
using Granary.Silo.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;

namespace Granary.Bench.Deals;

/// <summary>
/// The retrieval half of <c>./bench.sh deals</c>. A piece of the given padded size, filled with random payload, is
/// written into a (sparse) 32 GiB unsealed sector file as AddPiece writes it; a markets silo (Orleans, the piece
/// directory on SQLite, the retrieval endpoint on Kestrel) serves <c>GET /piece/{cid}</c> from that unsealed copy,
/// Fr32-unpadding on the fly; nginx serves the same bytes (the payload file) with sendfile. One C# HttpClient reader
/// downloads each whole, <c>runs</c> times, alternating; the median rate of each is reported. Every body is checked
/// once (untimed) against the payload's SHA-256.
/// </summary>
internal static class RetrievalBench
{
    public static async Task<IReadOnlyDictionary<string, object>> RunAsync(long pieceMiB, long runs, Action<object> emit)
    {
        var pieceSize = pieceMiB << 20;
        if (!PaddedPieceSize.IsValid(pieceSize) || pieceSize > SealProofType.Sector32GiB.SectorSize)
        {
            throw new ArgumentException($"--piece-mib {pieceMiB} is not a power-of-two piece size up to 32 GiB");
        }

        var directory = Directory.CreateTempSubdirectory("granary-bench-deals-").FullName;
        Process? nginx = null;
        try
        {
            var payloadSize = PaddedPieceSize.Unpadded(pieceSize);
            var www = Directory.CreateDirectory(Path.Combine(directory, "www")).FullName;
            var payloadFile = Path.Combine(www, "piece.bin");
            var payloadHash = await WritePayloadAsync(payloadFile, payloadSize);
            var sector = new SectorId(1000, 1);
            var unsealed = Path.Combine(directory, sector.Name);
            var watch = Stopwatch.StartNew();
            AddedPiece added;
            await using (var input = File.OpenRead(payloadFile))
            {
                added = await PieceWriter.AddPieceAsync(SealProofType.Sector32GiB, unsealed, [], input, pieceSize);
            }

            var pieceCid = PieceCid.V1(added.Piece.Commitment).ToString();
            emit(new { stage = "add_piece", piece = pieceCid, piece_bytes = pieceSize, payload_bytes = payloadSize, seconds = watch.Elapsed.TotalSeconds });

            await using var silo = await StartSiloAsync(directory, sector, unsealed);
            var piece = silo.Services.GetRequiredService<IGrainFactory>().GetPiece(pieceCid);
            await piece.AddDeal(new PieceDeal(Guid.NewGuid(), 1, 1000, false), pieceSize, payloadSize);
            await piece.AddSectorLocation(sector, added.Offset, pieceSize);
            var granaryUrl = $"http://127.0.0.1:{silo.Urls.Select(u => new Uri(u).Port).First()}/piece/{pieceCid}";

            var nginxPort = FreePort();
            nginx = StartNginx(directory, www, nginxPort);
            await WaitForPortAsync(nginxPort);
            var nginxUrl = $"http://127.0.0.1:{nginxPort}/piece.bin";

            using var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, UseProxy = false })
            {
                Timeout = TimeSpan.FromMinutes(10),
            };
            var granaryOk = await HashAsync(http, granaryUrl) == payloadHash;
            var nginxOk = await HashAsync(http, nginxUrl) == payloadHash;
            emit(new { stage = "verify", granary_matches_payload = granaryOk, nginx_matches_payload = nginxOk });
            if (!granaryOk || !nginxOk)
            {
                throw new InvalidOperationException("a server returned bytes other than the piece's");
            }

            var rates = new Dictionary<string, List<double>> { ["granary_unsealed"] = [], ["nginx"] = [] };
            for (var run = 1; run <= runs; run++)
            {
                foreach (var (name, url) in new[] { ("granary_unsealed", granaryUrl), ("nginx", nginxUrl) })
                {
                    var rate = await DownloadAsync(http, url, payloadSize);
                    rates[name].Add(rate);
                    emit(new { stage = name, run, mib_s = Math.Round(rate, 1) });
                }
            }

            // The same piece while its staged payload is still on the gateway (before sealing): no unpadding.
            await piece.SetStaging(new PieceStaging("bench", payloadFile));
            rates["granary_staging"] = [];
            for (var run = 1; run <= runs; run++)
            {
                var rate = await DownloadAsync(http, granaryUrl, payloadSize);
                rates["granary_staging"].Add(rate);
                emit(new { stage = "granary_staging", run, mib_s = Math.Round(rate, 1) });
            }

            var retrieval = Median(rates["granary_unsealed"]);
            var reference = Median(rates["nginx"]);
            return new Dictionary<string, object>
            {
                ["retrieval_mib_s"] = Math.Round(retrieval, 1),
                ["nginx_mib_s"] = Math.Round(reference, 1),
                ["retrieval_vs_nginx"] = Math.Round(retrieval / reference, 3),
                ["retrieval_staging_mib_s"] = Math.Round(Median(rates["granary_staging"]), 1),
                ["retrieval_piece_bytes"] = pieceSize,
                ["retrieval_source"] = "unsealed sector copy, Fr32-unpadded per request",
            };
        }
        finally
        {
            if (nginx is { HasExited: false })
            {
                nginx.Kill(entireProcessTree: true);
                await nginx.WaitForExitAsync();
            }

            nginx?.Dispose();
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> WritePayloadAsync(string path, long length)
    {
        var random = new Random(1);
        var buffer = new byte[1 << 20];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (var left = length; left > 0; left -= buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, left);
            random.NextBytes(buffer.AsSpan(0, n));
            sha.AppendData(buffer, 0, n);
            await output.WriteAsync(buffer.AsMemory(0, n));
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }

    private static async Task<WebApplication> StartSiloAsync(string directory, SectorId sector, string unsealed)
    {
        var database = DatabaseTarget.Resolve("sqlite:state.db", directory);
        await SchemaMigrator.ApplyAsync(database);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var port = FreePort();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), serviceId: "bench-deals", clusterId: "bench-deals");
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = database.Invariant;
                o.ConnectionString = database.ConnectionString;
            });
            silo.UseSubsystems(SubsystemSet.Of(Subsystem.Markets));
        });
        builder.Services.AddPieceDirectory(() => new SqliteConnection(database.ConnectionString), PieceStoreDialect.Sqlite);
        // The unsealed file as LocalStorage would find it on a silo with sector storage.
        builder.Services.AddSingleton<IUnsealedSectorLocator>(new ClusterUnsealedSectorLocator(s => s == sector ? unsealed : null, null, new HttpClient()));
        builder.Services.AddHttpRetrieval();
        var app = builder.Build();
        app.Run(context => context.RequestServices.GetRequiredService<RetrievalEndpoint>().HandleAsync(context));
        app.Urls.Add($"http://127.0.0.1:{port}");
        await app.StartAsync();
        return app;
    }

    private static Process StartNginx(string directory, string www, int port)
    {
        var config = Path.Combine(directory, "nginx.conf");
        Directory.CreateDirectory(Path.Combine(directory, "nginx-tmp"));
        File.WriteAllText(config, $$"""
            user root;
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/nginx-error.log;
            events { worker_connections 64; }
            http {
              access_log off;
              sendfile on;
              tcp_nopush on;
              client_body_temp_path {{directory}}/nginx-tmp/body;
              proxy_temp_path {{directory}}/nginx-tmp/proxy;
              fastcgi_temp_path {{directory}}/nginx-tmp/fastcgi;
              uwsgi_temp_path {{directory}}/nginx-tmp/uwsgi;
              scgi_temp_path {{directory}}/nginx-tmp/scgi;
              default_type application/piece;
              server { listen 127.0.0.1:{{port}}; root {{www}}; }
            }
            """);
        var binary = File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-p", directory, "-c", config, "-e", Path.Combine(directory, "nginx-error.log") })
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("nginx did not start");
    }

    private static async Task<double> DownloadAsync(HttpClient http, string url, long expected)
    {
        var buffer = new byte[1 << 20];
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        long total = 0;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        return total == expected ? total / 1048576.0 / seconds : throw new InvalidOperationException($"{url} sent {total} bytes, not {expected}");
    }

    private static async Task<string> HashAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        return Convert.ToHexString(await SHA256.HashDataAsync(body));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"nginx is not listening on {port}");
    }
}
