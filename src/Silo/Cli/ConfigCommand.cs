using System.CommandLine;
using Granary.Silo.Configuration;
using Granary.Silo.Repo;

namespace Granary.Silo.Cli;

/// <summary><c>granary config default|validate</c>.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Show or check config.toml");

        var defaults = new Command("default", "Print the full commented default config.toml (the embedded default)");
        defaults.SetAction(_ => Console.Out.Write(DefaultConfigText.Text));

        var file = new Argument<string?>("FILE") { Description = "Config file to check (default: the repo's config.toml)", Arity = ArgumentArity.ZeroOrOne };
        var validate = new Command("validate", "Check a config file: syntax, known keys, types, addresses and port clashes") { file };
        validate.SetAction(r =>
        {
            var path = r.GetValue(file) ?? Path.Combine(GranaryRepo.ResolvePath(r.GetValue(CliOptions.Repo)), "config.toml");
            var config = ConfigLoader.Load(path);
            Console.WriteLine($"{path}: ok (subsystems: {config.Subsystems.ToSet()}; database: {Database.DatabaseTarget.Validate(config.Cluster.Database)})");
        });

        command.Subcommands.Add(defaults);
        command.Subcommands.Add(validate);
        return command;
    }
}
