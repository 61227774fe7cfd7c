using Docker.DotNet.Models;

namespace Podlift.Cli.Delivery;

/// <summary>The login podlift.yml gives for a registry. Its text form leaves the password out.</summary>
public sealed record RegistryCredentials(string Server, string Username, string Password)
{
    public override string ToString() => $"{Username}@{Server}";

    public AuthConfig ToAuthConfig() => new() { ServerAddress = RegistryImage.LoginAddress(Server), Username = Username, Password = Password };

    public Protocol.RegistryLogin ToMessage() => new() { Server = RegistryImage.LoginAddress(Server), Username = Username, Password = Password };
}
