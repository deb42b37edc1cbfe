using Granary.Silo.Cli;

return await GranaryCli.RunAsync(args);
