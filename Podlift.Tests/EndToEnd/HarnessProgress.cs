namespace Podlift.Tests.EndToEnd;

/// <summary>The harness's progress (every podlift run and its output, script exits, load figures) in NUnit's progress stream, live.</summary>
[SetUpFixture]
public sealed class HarnessProgress
{
    [OneTimeSetUp]
    public void WriteHarnessLogToProgress() => HarnessLog.WriteTo(text => TestContext.Progress.WriteLine(text));
}
