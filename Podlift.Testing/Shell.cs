using System.Diagnostics;
using System.Text;

namespace Podlift.Testing;

public sealed record ShellResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>Runs test-harness programs (scripts, ssh, git) and captures their output.</summary>
public static class Shell
{
    public static async Task<ShellResult> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, Action<Process>? started = null,
        Action<string>? onOutputLine = null, Action<string>? onErrorLine = null, string? input = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        started?.Invoke(process);
        var output = new StringBuilder();
        var error = new StringBuilder();
        var readOut = Pump(process.StandardOutput, output, onOutputLine);
        var readErr = Pump(process.StandardError, error, onErrorLine);
        if (input is not null)
        {
            try { await process.StandardInput.WriteAsync(input); }
            catch (IOException) { } // the program exited without reading it all; its exit code says why
        }
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        await Task.WhenAll(readOut, readErr);
        return new ShellResult(process.ExitCode, output.ToString(), error.ToString());
    }

    private static async Task Pump(StreamReader reader, StringBuilder into, Action<string>? onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into) into.AppendLine(line);
            onLine?.Invoke(line);
        }
    }

    public static async Task<ShellResult> MustAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({result.ExitCode}):\n{result.All}");
        return result;
    }
}
