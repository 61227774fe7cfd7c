namespace Podlift.Protocol;

/// <summary>What went wrong talking to a registry.</summary>
public enum RegistryProblem
{
    Other,
    /// <summary>The registry refused the login (or asked for one that was not given).</summary>
    Unauthorized,
    /// <summary>No such repository or tag in the registry.</summary>
    NotFound,
    /// <summary>TLS: the registry's certificate is not trusted by that Docker.</summary>
    Certificate,
    /// <summary>Nothing answered at the registry's address.</summary>
    Unreachable,
}

/// <summary>
/// Docker reports registry failures as text only ("unauthorized: authentication required", "x509: certificate
/// signed by unknown authority", "dial tcp ...: connection refused"). Both sides classify the same text: the
/// CLI for its own pushes and logins, the agent for its pulls. Pure.
/// </summary>
public static class RegistryErrors
{
    public static RegistryProblem Classify(string message)
    {
        var text = message.ToLowerInvariant();
        if (Has(text, "unauthorized", "authentication required", "no basic auth credentials", "incorrect username or password", "denied"))
            return RegistryProblem.Unauthorized;
        if (Has(text, "x509", "certificate", "tls: "))
            return RegistryProblem.Certificate;
        if (Has(text, "manifest unknown", "not found", "name unknown", "does not exist"))
            return RegistryProblem.NotFound;
        if (Has(text, "connection refused", "no route to host", "i/o timeout", "no such host", "network is unreachable", "timeout exceeded", "connection reset"))
            return RegistryProblem.Unreachable;
        return RegistryProblem.Other;
    }

    private static bool Has(string text, params string[] needles) => needles.Any(text.Contains);
}
