using System.Runtime.InteropServices;

namespace Podlift.Testing;

/// <summary>
/// How this machine runs linux-arm64 programs (the arm64 agent, the arm64 CLI): natively on an arm64 machine, or
/// through QEMU's user-mode emulator with an aarch64 sysroot for the dynamic loader and libc (Debian's qemu-user and
/// libc6-arm64-cross, which `make setup` installs). binfmt_misc is not needed: the emulator is named on the command line.
/// </summary>
public sealed record Arm64Programs(IReadOnlyList<string> Prefix, string How)
{
    private const string Sysroot = "/usr/aarch64-linux-gnu";

    /// <summary>The way to run them here; null with <paramref name="whyNot"/> when there is none.</summary>
    public static Arm64Programs? Find(out string whyNot)
    {
        whyNot = "";
        if (OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.Arm64) return new([], "natively (an arm64 machine)");
        var emulator = new[] { "qemu-aarch64", "qemu-aarch64-static" }.Select(OnPath).FirstOrDefault(path => path is not null);
        if (emulator is not null && File.Exists(Path.Combine(Sysroot, "lib", "ld-linux-aarch64.so.1")))
            return new([emulator, "-L", Sysroot], $"under {Path.GetFileName(emulator)} with the sysroot {Sysroot}");
        whyNot = emulator is null
            ? "this x64 machine cannot run arm64 programs: no qemu-aarch64 on PATH (Debian: apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross, as `make setup` does)"
            : $"qemu-aarch64 is here but no aarch64 sysroot in {Sysroot} (Debian: apt-get install libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross, as `make setup` does)";
        return null;
    }

    /// <summary>The command line that runs <paramref name="program"/> with its arguments.</summary>
    public (string FileName, string[] Arguments) Command(string program, params string[] arguments) =>
        Prefix.Count == 0 ? (program, arguments) : (Prefix[0], [.. Prefix.Skip(1), program, .. arguments]);

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
}
