using Granary.Silo.Cli;

return await GranaryCli.Build().Parse(args).InvokeAsync();
