namespace Podlift.Testing;

/// <summary>
/// Where the harness reports progress (each script and podlift run with its output, load figures): standard
/// error unless its host points it elsewhere, as the tests do at NUnit's progress stream.
/// </summary>
public static class HarnessLog
{
    private static Action<string> _write = Console.Error.WriteLine;

    public static void WriteTo(Action<string> write) => _write = write;

    public static void Write(string text) => _write(text);
}
