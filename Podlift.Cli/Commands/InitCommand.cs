using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;
using Podlift.Cli.Output;

namespace Podlift.Cli.Commands;

/// <summary>
/// `podlift init`: writes a commented podlift.yml and .env.example for this directory; never overwrites either.
/// With --dry-run it checks the same, lists the files it would write, and writes nothing.
/// </summary>
public sealed class InitCommand(ConsoleOutput output)
{
    public void Run(string configPath, bool dryRun = false)
    {
        var config = Path.GetFullPath(configPath);
        var directory = Path.GetDirectoryName(config)!;
        var envExample = Path.Combine(directory, ".env.example");
        foreach (var file in new[] { config, envExample })
            if (File.Exists(file))
                throw new ConfigurationException($"{Path.GetFileName(file)} already exists in {directory}; podlift init does not overwrite it",
                    $"edit it, or move it away and run `podlift init` again");

        var name = InitTemplate.ServiceName(Path.GetFileName(directory));
        if (dryRun)
        {
            output.Line("Dry run: what `podlift init` would write; nothing was written.");
            output.Line($"  would write {config} (service: {name}, image: {name})");
            output.Line($"  would write {envExample}");
        }
        else
        {
            Write(config, InitTemplate.PodliftYml(name));
            Write(envExample, InitTemplate.EnvExample(name));
            output.Ok($"wrote {Path.GetFileName(config)} (service: {name}, image: {name})");
            output.Ok("wrote .env.example");
        }
        if (!File.Exists(Path.Combine(directory, "Dockerfile")))
            output.Warn("there is no Dockerfile here yet: podlift builds the image from ./Dockerfile");
        if (!IgnoresEnvFile(Path.Combine(directory, ".gitignore")))
            output.Warn(".env will hold secrets: add it to .gitignore");
        if (dryRun) return;

        output.Line();
        output.Line("Next steps:");
        foreach (var step in InitTemplate.NextSteps(Path.GetFileName(config))) output.Line($"  {step}");
    }

    private static void Write(string path, string text)
    {
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(file);
            writer.Write(text);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new ConfigurationException($"{Path.GetFileName(path)} appeared in {Path.GetDirectoryName(path)} while podlift init ran; it was left as it is");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot write {path} (permission denied)", $"run podlift init in a directory you can write to");
        }
    }

    private static bool IgnoresEnvFile(string gitignore) =>
        File.Exists(gitignore) && File.ReadLines(gitignore).Select(line => line.Trim()).Any(line => line is ".env" or "/.env" or ".env*" or "*.env");
}
