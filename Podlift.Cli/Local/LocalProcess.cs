using System.Diagnostics;
using System.Text;

namespace Podlift.Cli.Local;

public sealed record ProcessOutput(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs a program with an argument vector (never a shell string), optionally feeding stdin and watching output lines; cancelling kills it.</summary>
public static class LocalProcess
{
    /// <summary>The exit code <see cref="RunAsync"/> gives when the program cannot be started, as a shell does.</summary>
    public const int NotFound = 127;

    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }

    public static async Task<ProcessOutput> RunAsync(
        string fileName, IEnumerable<string> arguments, string? workingDirectory = null, Stream? input = null,
        Action<string>? onLine = null, CancellationToken cancellationToken = default)
    {
        using var process = new Process { StartInfo = StartInfo(fileName, arguments, workingDirectory) };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ProcessOutput(NotFound, "", $"{fileName}: {e.Message}");
        }

        // a cancelled run ends what it started, as Ctrl-C in a shell ends the foreground job
        using var stop = cancellationToken.Register(() =>
        {
            try { process.Kill(); } catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        });
        var stdout = Collect(process.StandardOutput, onLine, cancellationToken);
        var stderr = Collect(process.StandardError, onLine, cancellationToken);
        if (input is not null)
        {
            try { await input.CopyToAsync(process.StandardInput.BaseStream, cancellationToken); }
            catch (IOException) { } // the program exited early; its exit code and stderr say why
        }
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        return new ProcessOutput(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> Collect(StreamReader reader, Action<string>? onLine, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            text.AppendLine(line);
            onLine?.Invoke(line);
        }
        return text.ToString();
    }
}
