using System.Net;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Granary.Silo.Configuration;

/// <summary>
/// Reads <c>config.toml</c> strictly: unknown sections or keys, wrong types, bad addresses and port clashes
/// are refused with file and line. Missing keys take the embedded default's value.
/// </summary>
public static class ConfigLoader
{
    /// <summary>Config files larger than this are refused before parsing.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Loads and validates a config file.</summary>
    /// <exception cref="ConfigException">The file is missing, unreadable or invalid.</exception>
    public static GranaryConfig Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ConfigException([new ConfigProblem(path, 0, "file not found")]);
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ConfigException([new ConfigProblem(path, 0, $"file is {info.Length} bytes; the limit is {MaxFileBytes}")]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates config text; <paramref name="fileName"/> is used in messages.</summary>
    /// <exception cref="ConfigException">The text is invalid.</exception>
    public static GranaryConfig Parse(string text, string fileName = "config.toml")
    {
        if (text.Length > MaxFileBytes)
        {
            throw new ConfigException([new ConfigProblem(fileName, 0, $"config is larger than {MaxFileBytes} bytes")]);
        }

        var document = SyntaxParser.Parse(text, fileName, validate: true);
        if (document.HasErrors)
        {
            var syntax = document.Diagnostics
                .Where(d => d.Kind == DiagnosticMessageKind.Error)
                .Select(d => new ConfigProblem(fileName, d.Span.Start.Line + 1, $"TOML syntax: {d.Message}"))
                .ToList();
            throw new ConfigException(syntax);
        }

        var reader = new ConfigDocument(document, fileName);
        var config = Bind(reader);
        reader.ReportUnread();
        CheckPortClashes(reader, config);
        reader.ThrowIfProblems();
        return config;
    }

    private static GranaryConfig Bind(ConfigDocument r)
    {
        var d = GranaryConfig.Default;
        var subsystems = new SubsystemsConfig(
            r.Bool("Subsystems", "EnableMining", d.Subsystems.EnableMining),
            r.Bool("Subsystems", "EnableSealing", d.Subsystems.EnableSealing),
            r.Bool("Subsystems", "EnableSectorStorage", d.Subsystems.EnableSectorStorage),
            r.Bool("Subsystems", "EnableMarkets", d.Subsystems.EnableMarkets));
        if (!(subsystems.EnableMining || subsystems.EnableSealing || subsystems.EnableSectorStorage || subsystems.EnableMarkets))
        {
            r.Problem("Subsystems", null, "[Subsystems] enables nothing; a silo must run at least one subsystem");
        }

        var api = new ApiConfig(r.String("API", "ListenAddress", d.Api.ListenAddress,
            v => _ = HttpListenAddress.FromMultiaddr(v)));
        var libp2p = new Libp2pConfig(
            r.StringList("Libp2p", "ListenAddresses", d.Libp2p.ListenAddresses, v => _ = MultiaddrText.Parse(v)),
            r.StringList("Libp2p", "AnnounceAddresses", d.Libp2p.AnnounceAddresses, v => _ = MultiaddrText.Parse(v)));
        var cluster = new ClusterConfig(
            r.String("Cluster", "ClusterId", d.Cluster.ClusterId, RequireIdentifier),
            r.String("Cluster", "ServiceId", d.Cluster.ServiceId, RequireIdentifier),
            r.Port("Cluster", "SiloPort", d.Cluster.SiloPort, allowZero: false),
            r.Port("Cluster", "GatewayPort", d.Cluster.GatewayPort, allowZero: true),
            r.String("Cluster", "AdvertisedAddress", d.Cluster.AdvertisedAddress, RequireUnicastIp),
            r.String("Cluster", "Database", d.Cluster.Database, v => _ = Database.DatabaseTarget.Validate(v)));
        var dashboard = new DashboardConfig(r.String("Dashboard", "ListenAddress", d.Dashboard.ListenAddress,
            v => _ = HttpListenAddress.FromHostPort(v)));
        var chain = new ChainConfig(
            r.String("Chain", "ApiInfo", d.Chain.ApiInfo, v =>
            {
                if (v.Length > 0)
                {
                    _ = Granary.Chain.Rpc.ChainRpcEndpoint.Parse(v);
                }
            }),
            r.Int("Chain", "DevnetBlockDelaySeconds", d.Chain.DevnetBlockDelaySeconds, 1, 600));
        var sealing = Granary.Silo.Sealing.SealingConfigSection.Read(r, d.Sealing);
        sealing = sealing with { Pipeline = SealingPipeline(r, d.Sealing.Pipeline) };
        var sectorStorage = Granary.Silo.Storage.SectorStorageConfigSection.Read(r, d.SectorStorage);
        var proving = Granary.Silo.Proving.ProvingConfigSection.Read(r, d.Proving);
        var unsealTimeout = d.Retrieval.UnsealTimeout;
        r.String("Retrieval", "UnsealTimeout", Granary.Silo.Sealing.GoDuration.Format(unsealTimeout), v =>
        {
            TimeSpan parsed;
            try
            {
                parsed = Granary.Silo.Sealing.GoDuration.Parse(v);
            }
            catch (Exception e) when (e is OverflowException or ArgumentException)
            {
                throw new FormatException($"'{v}' must be from 0s to 1h");
            }

            if (parsed > TimeSpan.FromHours(1))
            {
                throw new FormatException($"'{v}' must be from 0s to 1h");
            }

            unsealTimeout = parsed;
        });
        var retrieval = new RetrievalConfig(r.String("Retrieval", "ListenAddress", d.Retrieval.ListenAddress,
            v => _ = HttpListenAddress.FromMultiaddr(v))) { UnsealTimeout = unsealTimeout };
        var dealmaking = Granary.Silo.Hosting.DealmakingConfigSection.Read(r, d.Dealmaking);
        return new GranaryConfig(subsystems, api, libp2p, cluster, dashboard, chain, sealing, sectorStorage)
        {
            Proving = proving, Retrieval = retrieval, Dealmaking = dealmaking,
        };
    }

    // [Sealing]'s pipeline keys: batch sizes up to the chain's batch limit (256), waits from 1 s to 24 h.
    private static SealingPipelineConfig SealingPipeline(ConfigDocument r, SealingPipelineConfig d)
    {
        TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, TimeSpan max, string range)
        {
            var value = fallback;
            r.String("Sealing", key, $"{(long)fallback.TotalSeconds}s", v =>
            {
                value = Granary.Silo.Sealing.GoDuration.Parse(v);
                if (value < min || value > max)
                {
                    throw new FormatException($"'{v}' must be from {range}");
                }
            });
            return value;
        }

        var day = TimeSpan.FromHours(24);
        var second = TimeSpan.FromSeconds(1);
        return new SealingPipelineConfig(
            r.Int("Sealing", "PreCommitBatchSize", d.PreCommitBatchSize, 1, 256),
            Duration("PreCommitBatchWait", d.PreCommitBatchWait, second, day, "1s to 24h"),
            r.Int("Sealing", "CommitBatchSize", d.CommitBatchSize, 1, 256),
            Duration("CommitBatchWait", d.CommitBatchWait, second, day, "1s to 24h"),
            Duration("RetryBackoff", d.RetryBackoff, second, TimeSpan.FromHours(1), "1s to 1h"),
            Duration("MaxRetryBackoff", d.MaxRetryBackoff, second, day, "1s to 24h"))
        {
            WaitDealsDelay = Duration("WaitDealsDelay", d.WaitDealsDelay, second, TimeSpan.FromDays(30), "1s to 720h"),
        };
    }

    private static void RequireIdentifier(string value)
    {
        if (value.Length is 0 or > 150 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new FormatException($"'{value}' must be 1-150 characters of letters, digits, '-', '_' or '.'");
        }
    }

    private static void RequireUnicastIp(string value)
    {
        if (!IPAddress.TryParse(value, out var ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            throw new FormatException($"'{value}' must be the IP address other silos dial (not a host name, not 0.0.0.0)");
        }
    }

    private static void CheckPortClashes(ConfigDocument r, GranaryConfig config)
    {
        var listeners = new List<(int Port, string Section, string Key, string What)>();
        void Add(int port, string section, string key, string what)
        {
            if (port > 0)
            {
                listeners.Add((port, section, key, what));
            }
        }

        if (TryGet(() => config.Api.Endpoint.Port, out var apiPort)) Add(apiPort, "API", "ListenAddress", "the JSON-RPC API");
        if (TryGet(() => config.Dashboard.Endpoint.Port, out var dashPort)) Add(dashPort, "Dashboard", "ListenAddress", "the admin HTTP endpoint");
        if (config.Subsystems.EnableMarkets && TryGet(() => config.Retrieval.Endpoint.Port, out var retrievalPort))
        {
            Add(retrievalPort, "Retrieval", "ListenAddress", "the HTTP retrieval endpoint");
        }

        Add(config.Cluster.SiloPort, "Cluster", "SiloPort", "the Orleans silo port");
        Add(config.Cluster.GatewayPort, "Cluster", "GatewayPort", "the Orleans gateway port");
        foreach (var address in config.Libp2p.ListenAddresses)
        {
            if (TryGet(() => MultiaddrText.Parse(address), out var parts))
            {
                var tcp = parts.FirstOrDefault(p => p.Protocol == "tcp");
                if (tcp.Value is not null && int.TryParse(tcp.Value, out var p))
                {
                    Add(p, "Libp2p", "ListenAddresses", $"libp2p ({address})");
                }
            }
        }

        // Several libp2p addresses may share a port (IPv4 and IPv6); a clash is two different settings.
        foreach (var group in listeners.GroupBy(l => l.Port))
        {
            var owners = group.DistinctBy(l => (l.Section, l.Key)).ToList();
            if (owners.Count < 2)
            {
                continue;
            }

            // Report on the settings the file sets, naming what they collide with.
            var explicitOwners = owners.Where(o => r.IsSet(o.Section, o.Key)).ToList();
            foreach (var owner in explicitOwners.Count > 0 ? explicitOwners : owners.Take(1))
            {
                var others = string.Join(" and ", owners.Where(o => o != owner).Select(o => $"{o.What} ([{o.Section}] {o.Key})"));
                r.Problem(owner.Section, owner.Key, $"[{owner.Section}] {owner.Key}: port {group.Key} is already used by {others}");
            }
        }
    }

    private static bool TryGet<T>(Func<T> get, out T value)
    {
        try
        {
            value = get();
            return true;
        }
        catch (FormatException)
        {
            value = default!;
            return false;
        }
    }
}
