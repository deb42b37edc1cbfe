using Granary.Silo.Chain;

namespace Granary.Silo.Cli;

/// <summary>What <see cref="InitServiceChecks"/> established: where and what to create.</summary>
/// <param name="Root">The gateway repo directory.</param>
/// <param name="ConfigText">The config file's text (copied as <c>config.toml</c>).</param>
/// <param name="Miner">The miner's <c>miner.json</c> (from the sealer's silo).</param>
/// <param name="Sealer">The sealer's API.</param>
internal sealed record InitServicePlan(string Root, string ConfigText, MinerFile Miner, ApiInfo Sealer);
