namespace Podlift.Cli.Commands;

/// <summary>
/// Everything after `podlift exec [options] &lt;service&gt;` is the command, options included, so that
/// `podlift exec web sh -c 'exit 3'` passes -c to sh instead of podlift's --config/-c. The parser learns
/// that from a "--" placed after the service name, added here unless the user wrote it. Pure.
/// </summary>
public static class ExecArguments
{
    private const string CommandName = "exec";
    private const string EndOfOptions = "--";
    private static readonly string[] OptionsWithValue = ["--config", "-c", "--replica"];

    public static string[] Normalize(string[] args)
    {
        var index = SkipOptions(args, 0);
        if (index >= args.Length || args[index] != CommandName) return args;
        var service = SkipOptions(args, index + 1);
        if (service + 1 >= args.Length || args[service] == EndOfOptions || args[service + 1] == EndOfOptions) return args;
        return [.. args[..(service + 1)], EndOfOptions, .. args[(service + 1)..]];
    }

    private static int SkipOptions(string[] args, int index)
    {
        while (index < args.Length && args[index].StartsWith('-') && args[index] != EndOfOptions)
            index += OptionsWithValue.Contains(args[index]) ? 2 : 1;
        return index;
    }
}
