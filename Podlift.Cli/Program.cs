using Podlift.Cli.Commands;

return await CommandLine.Parse(args).InvokeAsync();
