using Podlift.Agent.Machine;

namespace Podlift.Tests.Unit.Fakes;

/// <summary>Answers commands from a script of handlers and records every call, in order.</summary>
internal sealed class FakeProcessRunner : IProcessRunner
{
    private readonly Func<string, IReadOnlyList<string>, ProcessResult> _answer;

    public FakeProcessRunner(Func<string, IReadOnlyList<string>, ProcessResult>? answer = null) =>
        _answer = answer ?? ((_, _) => Ok);

    public static readonly ProcessResult Ok = new(0, "", "");

    public static ProcessResult Fail(string error) => new(1, "", error);

    public List<string> Calls { get; } = [];

    /// <summary>Runs just before the answer: a test moves the fake world along (nginx reloads) here.</summary>
    public Action<string>? OnCall { get; set; }

    public Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var call = string.Join(' ', [fileName, .. arguments]);
        Calls.Add(call);
        OnCall?.Invoke(call);
        return Task.FromResult(_answer(fileName, arguments));
    }
}
