using Podlift.Cli.Building;
using Podlift.Cli.Configuration;
using Podlift.Cli.Errors;

namespace Podlift.Tests.Unit;

/// <summary>Which platform each server's image is built for, whether the local Docker can build it, and how a mixed fleet's images share one name.</summary>
public class PlatformBuildTests
{
    private static readonly ServerConfig X64 = new("10.0.0.1", null, null, null, [], []);
    private static readonly ServerConfig OtherX64 = new("10.0.0.2", null, null, null, [], []);
    private static readonly ServerConfig Arm = new("10.0.0.3", null, null, null, [], []);

    [TestCase("x64", "linux/amd64")]
    [TestCase("X64", "linux/amd64")]
    [TestCase("x86_64", "linux/amd64")]
    [TestCase("arm64", "linux/arm64")]
    [TestCase("aarch64", "linux/arm64")]
    public void A_servers_platform_is_read_from_what_its_agent_reports(string architecture, string platform) =>
        Assert.That(Platform.OfServer(architecture)!.Name, Is.EqualTo(platform));

    [TestCase("arm")]
    [TestCase("riscv64")]
    [TestCase("")]
    public void Other_architectures_have_none(string architecture) => Assert.That(Platform.OfServer(architecture), Is.Null);

    [TestCase("linux/amd64", "amd64")]
    [TestCase(" linux/arm64 ", "arm64")]
    [TestCase("linux/arm64/v8", "arm64")]
    public void A_written_platform_parses(string text, string architecture) => Assert.That(Platform.Parse(text)!.Architecture, Is.EqualTo(architecture));

    [TestCase("arm64")]
    [TestCase("linux/arm/v7")]
    [TestCase("windows/amd64")]
    [TestCase("linux/amd64/v2")]
    public void Others_do_not(string text) => Assert.That(Platform.Parse(text), Is.Null);

    [Test]
    public void An_images_platform_comes_from_its_os_and_architecture()
    {
        Assert.That(Platform.OfImage("linux", "arm64"), Is.EqualTo(Platform.Arm64));
        Assert.That(Platform.OfImage("linux", "arm"), Is.Null);
        Assert.That(Platform.OfImage("windows", "amd64"), Is.Null);
    }

    [Test]
    public void A_fleet_of_one_platform_gets_the_release_image_itself()
    {
        var plan = PlatformPlan.Decide([(X64, "x64"), (OtherX64, "x64")], configured: null, "myapp:abc1234");

        Assert.That(plan.Platforms, Is.EqualTo(new[] { Platform.Amd64 }));
        Assert.That(plan.Mixed, Is.False);
        Assert.That(plan.LocalImage(Platform.Amd64), Is.EqualTo("myapp:abc1234"));
        Assert.That(plan.Warnings, Is.Empty);
    }

    [Test]
    public void An_arm64_fleet_from_any_laptop_is_built_for_arm64()
    {
        var plan = PlatformPlan.Decide([(Arm, "arm64")], configured: null, "myapp:abc1234");

        Assert.That(plan.For(Arm), Is.EqualTo(Platform.Arm64));
        Assert.That(plan.LocalImage(Platform.Arm64), Is.EqualTo("myapp:abc1234"));
    }

    [Test]
    public void A_mixed_fleet_builds_once_per_platform_each_image_named_for_its_platform_locally()
    {
        var plan = PlatformPlan.Decide([(X64, "x64"), (Arm, "arm64"), (OtherX64, "x64")], configured: null, "myapp:abc1234");

        Assert.That(plan.Platforms, Is.EqualTo(new[] { Platform.Amd64, Platform.Arm64 }));
        Assert.That(plan.Mixed, Is.True);
        Assert.That(plan.LocalImage(Platform.Amd64), Is.EqualTo("myapp:abc1234-amd64"));
        Assert.That(plan.LocalImage(Platform.Arm64), Is.EqualTo("myapp:abc1234-arm64"));
        Assert.That(plan.For(OtherX64), Is.EqualTo(Platform.Amd64));
    }

    [Test]
    public void A_pruned_image_is_looked_for_in_the_registry_under_the_release_name_then_its_platforms()
    {
        Assert.That(PlatformPlan.PushedNames("myapp:abc1234", Platform.Arm64), Is.EqualTo(new[] { "myapp:abc1234", "myapp:abc1234-arm64" }));
        Assert.That(PlatformPlan.PushedNames("myapp:abc1234", null), Is.EqualTo(new[] { "myapp:abc1234" }));
        var mixed = PlatformPlan.Decide([(X64, "x64"), (Arm, "arm64")], configured: null, "myapp:abc1234");
        Assert.That(PlatformPlan.PushedNames("myapp:abc1234", Platform.Arm64), Does.Contain(mixed.LocalImage(Platform.Arm64)), "what a mixed deploy pushed");
    }

    [Test]
    public void Builder_platform_wins_and_says_which_servers_it_does_not_fit()
    {
        var plan = PlatformPlan.Decide([(X64, "x64"), (Arm, "arm64")], configured: Platform.Arm64, "myapp:abc1234");

        Assert.That(plan.Platforms, Is.EqualTo(new[] { Platform.Arm64 }));
        Assert.That(plan.LocalImage(Platform.Arm64), Is.EqualTo("myapp:abc1234"));
        Assert.That(plan.Warnings, Has.Count.EqualTo(1));
        Assert.That(plan.Warnings[0], Does.Contain("builder.platform is linux/arm64").And.Contain("10.0.0.1 is linux/amd64"));
    }

    [Test]
    public void A_server_of_an_unknown_architecture_is_refused_with_the_override_as_the_fix()
    {
        var refused = Assert.Throws<ValidationException>(() => PlatformPlan.Decide([(X64, "s390x")], configured: null, "myapp:abc1234"))!;

        Assert.That(refused.Message, Does.Contain("10.0.0.1").And.Contain("s390x"));
        Assert.That(refused.Fix, Does.Contain("builder.platform"));
    }

    [Test]
    public void A_Dockerfile_that_only_copies_runs_nothing() =>
        Assert.That(DockerfileRuns.Of("FROM scratch\nCOPY busybox /bin/busybox\nCMD [\"/bin/busybox\", \"httpd\", \"-f\"]\n"), Is.Empty);

    [Test]
    public void A_RUN_runs_on_the_target_platform() =>
        Assert.That(DockerfileRuns.Of("FROM debian:12\nRUN apt-get update\n"), Is.EqualTo(new[] { new StageRuns(RunsOn.Target) }));

    [Test]
    public void A_build_stage_on_the_build_platform_needs_no_emulation_and_the_final_stage_only_copies()
    {
        var runs = DockerfileRuns.Of("""
            # syntax=docker/dockerfile:1
            FROM --platform=$BUILDPLATFORM golang:1.22 AS build
            RUN go build -o /out/app .
            FROM scratch
            COPY --from=build /out/app /app
            """);

        Assert.That(runs, Is.EqualTo(new[] { new StageRuns(RunsOn.BuildPlatform) }));
    }

    [Test]
    public void Comments_continuations_and_the_escape_directive_are_read_as_Docker_reads_them()
    {
        Assert.That(DockerfileRuns.Of("FROM scratch\n# RUN echo not an instruction\nCOPY a \\\n  /a\n"), Is.Empty);
        Assert.That(DockerfileRuns.Of("# escape=`\nFROM scratch\nCOPY a `\n  b\nrun echo\n"), Is.EqualTo(new[] { new StageRuns(RunsOn.Target) }));
        Assert.That(DockerfileRuns.Of("FROM --platform=linux/amd64 debian AS tools\nRUN true\n"), Is.EqualTo(new[] { new StageRuns(RunsOn.Named, Platform.Amd64) }));
        Assert.That(DockerfileRuns.Of("FROM --platform=${TARGETPLATFORM} debian\nRUN true\n"), Is.EqualTo(new[] { new StageRuns(RunsOn.Target) }));
    }

    private static readonly BuildSupport X64Docker = new(Platform.Amd64, new HashSet<Platform>(), "Docker 20.10.24 (linux/amd64)");

    [Test]
    public void The_local_platform_always_builds() =>
        Assert.That(X64Docker.Refusal(Platform.Amd64, [new StageRuns(RunsOn.Target)], "Dockerfile"), Is.Null);

    [Test]
    public void A_copy_only_image_builds_for_another_platform_without_emulation() =>
        Assert.That(X64Docker.Refusal(Platform.Arm64, [], "Dockerfile"), Is.Null);

    [Test]
    public void RUN_for_another_platform_without_emulation_is_refused_before_anything_is_built()
    {
        var refused = X64Docker.Refusal(Platform.Arm64, [new StageRuns(RunsOn.Target)], "Dockerfile")!;

        Assert.That(refused.ExitCode, Is.EqualTo(ExitCode.Validation));
        Assert.That(refused.Message, Does.Contain("Dockerfile runs commands (RUN) for linux/arm64").And.Contain("Docker 20.10.24 (linux/amd64)").And.Contain("nothing was built or sent"));
        Assert.That(refused.Fix, Does.Contain("tonistiigi/binfmt --install arm64").And.Contain("Docker Desktop").And.Contain("$BUILDPLATFORM"));
    }

    [Test]
    public void RUN_on_the_build_platform_needs_no_emulation() =>
        Assert.That(X64Docker.Refusal(Platform.Arm64, [new StageRuns(RunsOn.BuildPlatform)], "Dockerfile"), Is.Null);

    [Test]
    public void Emulation_lets_RUN_build_for_another_platform() =>
        Assert.That((X64Docker with { Emulated = new HashSet<Platform> { Platform.Arm64 } }).Refusal(Platform.Arm64, [new StageRuns(RunsOn.Target)], "Dockerfile"), Is.Null);

    [Test]
    public void An_Apple_silicon_Docker_building_for_x64_servers_needs_amd64_emulation()
    {
        var m1 = new BuildSupport(Platform.Arm64, new HashSet<Platform>(), "Docker 27.3.1 (linux/arm64)");

        Assert.That(m1.Refusal(Platform.Amd64, [new StageRuns(RunsOn.Target)], "Dockerfile")!.Fix, Does.Contain("--install amd64"));
    }

    [Test]
    public void The_classic_builder_builds_again_without_its_cache_only_when_the_cache_gave_another_platform()
    {
        var classic = X64Docker with { Classic = true };

        Assert.That(classic.RebuildsWithoutCache(Platform.Arm64, built: Platform.Amd64), Is.True, "a FROM scratch step cached from an amd64 build");
        Assert.That(classic.RebuildsWithoutCache(Platform.Arm64, built: Platform.Arm64), Is.False, "the cache kept unchanged layers: the next version is sent by its changed ones");
        Assert.That(classic.RebuildsWithoutCache(Platform.Amd64, built: Platform.Arm64), Is.True,
            "its own platform after a build for another on the same Docker: the cache gave that build's FROM scratch layers");
        Assert.That(classic.RebuildsWithoutCache(Platform.Amd64, built: Platform.Amd64), Is.False);
        Assert.That(X64Docker.RebuildsWithoutCache(Platform.Arm64, built: Platform.Amd64), Is.False, "BuildKit's cache knows the platform");
    }

    [Test]
    public void A_build_the_classic_builders_cache_of_another_platform_broke_is_told_from_other_failures()
    {
        const string broken = """
            docker build failed (exit 1):
              Step 4/9 : COPY www /www
              failed to get destination image "sha256:487f0bf2092a": image with reference sha256:487f0bf2092a was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64
            """;

        Assert.That(BuildSupport.BrokenByItsCache(broken), Is.True, "seen on the e2e suite's Docker: the step after cached ones of amd64, in a build for arm64");
        Assert.That(BuildSupport.BrokenByItsCache("docker build failed (exit 1):\n  COPY failed: file not found in build context"), Is.False);
    }

    [Test]
    public void The_kernels_enabled_qemu_entries_are_the_emulated_platforms() =>
        Assert.That(BuildSupport.FromBinfmt([("qemu-aarch64", "enabled"), ("qemu-x86_64", "disabled"), ("python3.11", "enabled"), ("qemu-riscv64", "enabled")]),
            Is.EquivalentTo(new[] { Platform.Arm64 }));

    [Test]
    public void A_buildx_builder_lists_its_platforms() =>
        Assert.That(BuildSupport.FromBuildx("""
            Name:          default
            Driver:        docker
            Nodes:
            Name:      default
            Status:    running
            Platforms: linux/amd64, linux/amd64/v2, linux/amd64/v3, linux/386, linux/arm64*, linux/arm/v7
            """), Is.EquivalentTo(new[] { Platform.Amd64, Platform.Arm64 }));

    private sealed class Tags
    {
        public readonly List<string> Calls = [];
        public TaskCompletionSource? Hold;

        public async Task TagAsync(string image, string name, CancellationToken cancellationToken)
        {
            lock (Calls) Calls.Add($"{image} -> {name}");
            if (Hold is { } hold) await hold.Task;
        }
    }

    [Test]
    public async Task One_platform_needs_no_tagging()
    {
        var tags = new Tags();
        var images = new PlatformImages(PlatformPlan.Decide([(X64, "x64"), (OtherX64, "x64")], null, "myapp:abc1234"), tags.TagAsync);

        await using (await images.TurnAsync(X64, CancellationToken.None)) { }

        Assert.That(tags.Calls, Is.Empty);
    }

    [Test]
    public async Task Serially_each_server_of_a_mixed_fleet_gets_the_name_pointed_at_its_platforms_image()
    {
        var tags = new Tags();
        var images = new PlatformImages(PlatformPlan.Decide([(X64, "x64"), (Arm, "arm64"), (OtherX64, "x64")], null, "myapp:abc1234"), tags.TagAsync);

        foreach (var server in new[] { X64, Arm, OtherX64 })
            await using (await images.TurnAsync(server, CancellationToken.None)) { }

        Assert.That(tags.Calls, Is.EqualTo(new[]
        {
            "myapp:abc1234-amd64 -> myapp:abc1234", "myapp:abc1234-arm64 -> myapp:abc1234", "myapp:abc1234-amd64 -> myapp:abc1234",
        }));
    }

    [Test]
    public async Task In_parallel_servers_of_one_platform_share_a_turn_and_another_platform_waits_for_its_end()
    {
        var tags = new Tags();
        var images = new PlatformImages(PlatformPlan.Decide([(X64, "x64"), (Arm, "arm64"), (OtherX64, "x64")], null, "myapp:abc1234"), tags.TagAsync);

        var first = await images.TurnAsync(X64, CancellationToken.None);
        var second = await images.TurnAsync(OtherX64, CancellationToken.None);
        var arm = images.TurnAsync(Arm, CancellationToken.None);
        await Task.Delay(50);
        Assert.That(arm.IsCompleted, Is.False, "arm64 waits while the name is amd64's");
        Assert.That(tags.Calls, Has.Count.EqualTo(1), "amd64's servers share one tag");

        await first.DisposeAsync();
        await Task.Delay(50);
        Assert.That(arm.IsCompleted, Is.False, "one amd64 server still reads the image");
        await second.DisposeAsync();
        await (await arm.WaitAsync(TimeSpan.FromSeconds(5))).DisposeAsync();

        Assert.That(tags.Calls, Is.EqualTo(new[] { "myapp:abc1234-amd64 -> myapp:abc1234", "myapp:abc1234-arm64 -> myapp:abc1234" }));
    }

    [Test]
    public async Task A_tag_that_fails_ends_the_turn_so_the_other_platform_is_not_stuck()
    {
        var failing = true;
        var images = new PlatformImages(PlatformPlan.Decide([(X64, "x64"), (Arm, "arm64")], null, "myapp:abc1234"),
            (_, _, _) => failing ? Task.FromException(new InvalidOperationException("no such image")) : Task.CompletedTask);

        Assert.ThrowsAsync<InvalidOperationException>(() => images.TurnAsync(X64, CancellationToken.None));
        failing = false;

        await (await images.TurnAsync(Arm, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5))).DisposeAsync();
    }
}
