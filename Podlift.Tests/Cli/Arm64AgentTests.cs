using System.Diagnostics;
using Podlift.Cli.Remote;
using Podlift.Tests.EndToEnd;

namespace Podlift.Tests.Cli;

/// <summary>
/// The linux-arm64 agent `make publish-agents` builds really is an arm64 program that starts and answers: run natively
/// on an arm64 machine, else under QEMU's user-mode emulator (see <see cref="Arm64Programs"/>); skipped, saying why,
/// where neither is possible. It listens on a socket of its own in a private mount namespace whose /var/lib is empty,
/// so it finds no state of this machine to act on.
/// </summary>
[Category("emulated")]
public sealed class Arm64AgentTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    [Test]
    public async Task The_arm64_agent_starts_on_a_unix_socket_and_answers_Hello()
    {
        var agent = RepositoryPaths.PublishedAgent("linux-arm64");
        if (!File.Exists(agent)) Assert.Ignore($"no arm64 agent at {agent}: `make publish-agents` builds it");
        Assert.That(ElfMachine(agent), Is.EqualTo(0xB7), "an ELF binary for aarch64 (EM_AARCH64)");
        if (Arm64Programs.Find(out var whyNot) is not { } arm64) { Assert.Ignore(whyNot); return; }
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/unshare"))
            Assert.Ignore("starting the agent in a private mount namespace (its /var/lib empty) needs root and unshare");
        var appContainers = await Shell.RunAsync("docker", ["ps", "-aq", "--filter", "label=podlift.app"]);
        if (appContainers.ExitCode != 0 || appContainers.Output.Trim().Length > 0)
            Assert.Ignore("the local Docker does not answer, or runs podlift app containers an agent started here would reconcile");

        var directory = Directory.CreateTempSubdirectory("podlift-arm64-").FullName;
        var socket = Path.Combine(directory, "agent.sock");
        var (emulator, arguments) = arm64.Command(agent);
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["PODLIFT_AGENT_SOCKET"] = socket },
        };
        foreach (var argument in (string[])["--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs podlift-arm64-test /var/lib && exec \"$@\"", "sh", emulator, .. arguments])
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.ErrorDataReceived += (_, line) => { lock (log) log.AppendLine(line.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(socket) && !process.HasExited && clock.Elapsed < StartTimeout) await Task.Delay(250);
            Assert.That(File.Exists(socket), Is.True, $"the agent did not listen within {StartTimeout} ({arm64.How}):\n{log}");

            using var channel = new AgentChannel(socket);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var hello = await new AgentClient("arm64-agent", channel.Invoker).HelloAsync(timeout.Token);

            TestContext.Out.WriteLine($"podlift-agent {hello.AgentVersion} ({hello.Architecture}) answered after {clock.Elapsed.TotalSeconds:0}s, {arm64.How}");
            Assert.That(hello.Architecture, Is.EqualTo("arm64"));
            Assert.That(hello.AgentVersion, Does.Match(@"^\d+\.\d+\.\d+"));
            Assert.That(hello.DockerVersion, Is.Not.Empty, "it reached the local Docker");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>e_machine of an ELF header: 0x3E x86-64, 0xB7 aarch64.</summary>
    private static int ElfMachine(string path)
    {
        var header = new byte[20];
        using (var file = File.OpenRead(path)) file.ReadExactly(header);
        Assert.That(header[..4], Is.EqualTo("\u007fELF"u8.ToArray()), "an ELF binary");
        return BitConverter.ToUInt16(header, 18);
    }
}
