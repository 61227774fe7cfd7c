namespace Podlift.Cli.Errors;

/// <summary>The documented exit codes (docs/commands.md, "Exit codes").</summary>
public enum ExitCode
{
    Success = 0,
    General = 1,
    Configuration = 2,
    Validation = 3,
    Deployment = 4,
    Connection = 5,
}

/// <summary>An error the user can act on: a message naming the problem, an optional fix, and its exit code.</summary>
public abstract class PodliftException(string message, string? fix, ExitCode exitCode) : Exception(message)
{
    public string? Fix { get; } = fix;
    public ExitCode ExitCode { get; } = exitCode;
}

public sealed class ConfigurationException(string message, string? fix = null) : PodliftException(message, fix, ExitCode.Configuration);

public sealed class ValidationException(string message, string? fix = null) : PodliftException(message, fix, ExitCode.Validation);

public sealed class DeploymentException(string message, string? fix = null) : PodliftException(message, fix, ExitCode.Deployment);

public class ConnectionException(string message, string? fix = null) : PodliftException(message, fix, ExitCode.Connection);
