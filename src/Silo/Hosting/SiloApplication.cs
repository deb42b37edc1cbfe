using System.Net;
using Granary.Gateway.Retrieval;
using Granary.Gateway.Transfer;
using Granary.Grains;
using Granary.Grains.Pieces;
using Granary.Grains.Placement;
using Granary.Grains.Sealing.Workers;
using Granary.Grains.Sectors;
using Granary.Silo.Api;
using Granary.Silo.Chain;
using Granary.Silo.Proving;
using Granary.Silo.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Granary.Silo.Hosting;

/// <summary>
/// One granary silo process: Orleans (ADO.NET clustering, grain state and reminders on the configured
/// database; subsystems as silo metadata), the JSON-RPC API, the admin HTTP endpoint and, with the markets
/// subsystem, the libp2p host.
/// </summary>
public static class SiloApplication
{
    /// <summary>How long a clean stop may take before the process gives up waiting.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(8);

    /// <summary>Builds the web application hosting the silo (not yet started).</summary>
    public static WebApplication Build(SiloIdentity identity, Action<ILoggingBuilder>? logging = null)
    {
        var config = identity.Config;
        var db = identity.Database;
        var api = config.Api.Endpoint;
        var admin = config.Dashboard.Endpoint;
        var subsystems = config.Subsystems.ToSet();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = identity.Repo.Root });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff "; });
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Silo", LogLevel.Error);
        logging?.Invoke(builder.Logging);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.WebHost.UseKestrel(k =>
        {
            Listen(k, api);
            Listen(k, admin);
            if (config.Subsystems.EnableMarkets)
            {
                Listen(k, config.Retrieval.Endpoint);
            }
            k.Limits.MaxRequestBodySize = JsonRpcEndpoint.MaxBodyBytes;
        });

        // Before Orleans, so the chain opens before the silo starts and closes after it stops.
        builder.Services.AddGranaryChain(identity);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = config.Cluster.ClusterId;
                o.ServiceId = config.Cluster.ServiceId;
            });
            silo.Configure<SiloOptions>(o => o.SiloName = identity.SiloName);
            silo.ConfigureEndpoints(IPAddress.Parse(config.Cluster.AdvertisedAddress), config.Cluster.SiloPort,
                config.Cluster.GatewayPort, listenOnAnyHostAddress: false);
            silo.UseAdoNetClustering(o => { o.Invariant = db.Invariant; o.ConnectionString = db.ConnectionString; });
            silo.UseAdoNetReminderService(o => { o.Invariant = db.Invariant; o.ConnectionString = db.ConnectionString; });
            silo.AddAdoNetGrainStorage(GrainStorage.Name, o =>
            {
                o.Invariant = db.Invariant;
                o.ConnectionString = db.ConnectionString;
                o.DeleteStateOnClear = true;
            });
            if (db.Kind == Database.DatabaseKind.Sqlite)
            {
                silo.SerializeGrainStorageWrites(GrainStorage.Name); // one writer at a time: no SQLITE_BUSY sleeps (see SerialWriteGrainStorage)
            }

            silo.SkipReadsOfNewState(GrainStorage.Name); // a proposal's deal grain activates without a read (see NewStateHint)
            DatabaseErrors.CrossSilos(silo.Services);

            silo.UseSubsystems(subsystems);
            silo.UseSealingWorkers(subsystems, config.Sealing.ToOptions());
            silo.UseSectorPipeline(config.Sealing.Pipeline.ToOptions(config.Chain.DevnetBlockDelaySeconds));
            silo.AddGranarySectorStorage(identity);
            silo.AddGranaryProving(identity);
            silo.AddDashboard(o => o.HideTrace = true);
            silo.AddStartupTask<SiloStartRecorder>();
        });

        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(new ApiToken(identity.Repo.JwtSecret()));
        builder.Services.AddSingleton<ClusterStatus>();
        builder.Services.AddSingleton<MarketsLibp2p>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MarketsLibp2p>());
        // The deal grains' limits; the markets protocols on the libp2p host (after it, so they start once it listens).
        builder.Services.Configure<Granary.Grains.Deals.DealmakingOptions>(o =>
            config.Dealmaking.Configure(o, MarketsProtocols.Miner(identity), MarketsProtocols.BlockDelay(identity)));
        builder.Services.AddSingleton<MarketsProtocols>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MarketsProtocols>());
        builder.Services.AddSingleton(sp => ApiMethods.Create(
            sp.GetRequiredService<ApiToken>(), sp.GetRequiredService<ClusterStatus>(), sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<MarketsLibp2p>(), sp.GetRequiredService<SealingWorkerDirectory>(),
            sp.GetService<Granary.Grains.Storage.LocalStorage>(), identity, sp.GetService<PieceIndexRebuild>()));
        builder.Services.AddSingleton<JsonRpcEndpoint>();
        Web.WebUi.AddGranaryWebUi(builder.Services); Metrics.MetricsHosting.AddGranaryMetrics(builder.Services, identity);
        if (config.Subsystems.EnableMarkets)
        {
            // The piece directory, deal data transfers into REPO/staging and HTTP retrieval; registered after Orleans,
            // so a stopping silo cancels its transfers before Orleans stops.
            builder.Services.AddPieceDirectory(
                () => db.Kind == Database.DatabaseKind.Sqlite
                    ? new Microsoft.Data.Sqlite.SqliteConnection(db.ConnectionString)
                    : new Npgsql.NpgsqlConnection(db.ConnectionString),
                db.Kind == Database.DatabaseKind.Sqlite ? PieceStoreDialect.Sqlite : PieceStoreDialect.PostgreSql,
                config.Retrieval.UnsealTimeout);
            builder.Services.AddSingleton<PieceIndexRebuild>().AddHostedService(sp => sp.GetRequiredService<PieceIndexRebuild>());
            builder.Services.AddDealTransfers(Path.Combine(identity.Repo.Root, "staging"));
            builder.Services.AddHttpRetrieval();
        }

        var app = builder.Build();
        ChainHosting.Open(app.Services);

        // Two listeners, one pipeline: each branch only answers on its own port, so the API port
        // never serves the dashboard and vice versa.
        // Sector file fetches between silos (lotus's /remote) share the API port and its tokens.
        app.MapWhen(c => c.Connection.LocalPort == api.Port && c.Request.Path.StartsWithSegments(Storage.RemoteSectorEndpoint.Prefix),
            branch => branch.Run(c => c.RequestServices.GetRequiredService<Storage.RemoteSectorEndpoint>().HandleAsync(c)));
        StagingFileEndpoint.Map(app, api.Port, identity); // deal staging files for AddPiece on other silos, same tokens
        app.MapWhen(c => c.Connection.LocalPort == api.Port, branch =>
        {
            branch.UseRouting();
            branch.UseEndpoints(e => { e.MapPost("/rpc/v0", (HttpContext c, JsonRpcEndpoint rpc) => rpc.HandleAsync(c)); e.MapPost(Client.NodeApiEndpoint.Path, Client.NodeApiEndpoint.HandleAsync); });
        });
        if (config.Subsystems.EnableMarkets)
        {
            var retrieval = config.Retrieval.Endpoint;
            app.MapWhen(c => c.Connection.LocalPort == retrieval.Port,
                branch => branch.Run(c => c.RequestServices.GetRequiredService<RetrievalEndpoint>().HandleAsync(c)));
        }

        app.MapWhen(c => c.Connection.LocalPort == admin.Port, branch =>
        {
            branch.UseRouting();
            branch.UseEndpoints(e =>
            {
                e.MapGet("/healthz", HealthEndpoint.HandleAsync);
                e.MapOrleansDashboard("/dashboard");
                Web.WebUi.MapGranaryWebUi(e); Metrics.MetricsHosting.MapGranaryMetrics(e);
            });
        });
        return app;
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions k, Configuration.HttpListenAddress address)
    {
        if (IPAddress.TryParse(address.Host, out var ip))
        {
            k.Listen(ip, address.Port);
        }
        else if (address.Host == "localhost")
        {
            k.ListenLocalhost(address.Port);
        }
        else
        {
            foreach (var resolved in Dns.GetHostAddresses(address.Host))
            {
                k.Listen(resolved, address.Port);
            }
        }
    }
}
