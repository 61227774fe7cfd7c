using Podlift.Bench;
using Podlift.Testing;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// make bench [RUNS=5] [BASE_MB=50] [COMPARISON_RUNS=1]: see docs/performance.md
var runs = int.TryParse(Environment.GetEnvironmentVariable("RUNS"), out var r) ? r : 5;
var megabytes = int.TryParse(Environment.GetEnvironmentVariable("BASE_MB"), out var m) ? m : Report.SmallBaseMegabytes;
// at least the first run resets the servers and deploys from nothing: the runs after it redeploy on what it left
var comparisonRuns = Math.Clamp(int.TryParse(Environment.GetEnvironmentVariable("COMPARISON_RUNS"), out var c) ? c : 1, 1, Math.Max(runs, 1));
var json = Environment.GetEnvironmentVariable("BENCH_JSON") is { Length: > 0 } path ? path : Path.Combine(RepositoryPaths.Root, "artifacts", "bench.json");

var bench = new Bench(runs, megabytes, comparisonRuns);
try
{
    var figures = await bench.RunAsync();
    // make passes when it began (before its setup and publish): the whole `make bench` up to this table
    if (double.TryParse(Environment.GetEnvironmentVariable("BENCH_MAKE_STARTED"), System.Globalization.CultureInfo.InvariantCulture, out var started))
        figures.Add(Report.MakeBenchWall, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - started) / 60);
    var report = new Report(figures, runs, megabytes, bench.Facts);
    foreach (var line in report.Table()) Console.WriteLine(line);
    Directory.CreateDirectory(Path.GetDirectoryName(json)!);
    File.WriteAllText(json, report.Json());
    Console.WriteLine($"\nwritten: {json}");
    return 0;
}
finally
{
    await bench.DisposeAsync();
}
