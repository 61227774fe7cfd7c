using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Podlift.Agent.Rpc;
using Podlift.Agent.Rpc.Validation;
using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class ValidationInterceptorTests
{
    private readonly ValidationInterceptor _interceptor = new(NullLogger<ValidationInterceptor>.Instance);

    private sealed class Handler
    {
        public bool Called { get; private set; }

        public Task<StateReply> Unary(StateRequest request, ServerCallContext context)
        {
            Called = true;
            return Task.FromResult(new StateReply());
        }

        public Task Streaming(AttachRequest request, IServerStreamWriter<DeployEvent> responses, ServerCallContext context)
        {
            Called = true;
            return Task.CompletedTask;
        }
    }

    private sealed class Messages<T>(params T[] messages) : IAsyncStreamReader<T>
    {
        private int _next = -1;

        public T Current => messages[_next];

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++_next < messages.Length);
    }

    [Test]
    public void A_bad_unary_request_is_refused_without_calling_the_handler()
    {
        var handler = new Handler();

        var refused = Assert.ThrowsAsync<AgentFailure>(() => _interceptor.UnaryServerHandler(new StateRequest { App = "../etc" }, null!, handler.Unary))!;

        Assert.That(refused.Reason, Is.EqualTo(AgentErrorReason.InvalidRequest));
        Assert.That(refused.Message, Does.StartWith("app must be lowercase letters").And.Contain("(got: \"../etc\")"));
        Assert.That(handler.Called, Is.False);
    }

    [Test]
    public async Task A_valid_unary_request_reaches_the_handler()
    {
        var handler = new Handler();

        await _interceptor.UnaryServerHandler(new StateRequest { App = "myapp" }, null!, handler.Unary);

        Assert.That(handler.Called, Is.True);
    }

    [Test]
    public void A_bad_server_streaming_request_is_refused_without_calling_the_handler()
    {
        var handler = new Handler();

        var refused = Assert.ThrowsAsync<AgentFailure>(() =>
            _interceptor.ServerStreamingServerHandler<AttachRequest, DeployEvent>(new AttachRequest { App = "myapp", DeployId = "../../../etc/shadow" }, null!, null!, handler.Streaming))!;

        Assert.That(refused.Reason, Is.EqualTo(AgentErrorReason.InvalidRequest));
        Assert.That(refused.Message, Does.StartWith("deploy_id must be a deploy id"));
        Assert.That(handler.Called, Is.False);
    }

    [Test]
    public void A_streamed_requests_bad_first_message_is_refused_before_the_handler_sees_it()
    {
        var seen = new List<ExecInput>();
        var input = new Messages<ExecInput>(new ExecInput { Start = new ExecStart { App = "myapp", Service = "web;reboot", Command = { "sh" } } });

        var refused = Assert.ThrowsAsync<AgentFailure>(() => _interceptor.DuplexStreamingServerHandler<ExecInput, ExecOutput>(input, null!, null!,
            async (requests, _, _) =>
            {
                while (await requests.MoveNext(CancellationToken.None)) seen.Add(requests.Current);
            }))!;

        Assert.That(refused.Reason, Is.EqualTo(AgentErrorReason.InvalidRequest));
        Assert.That(refused.Message, Does.StartWith("start.service must be"));
        Assert.That(seen, Is.Empty);
    }

    [Test]
    public async Task A_push_passes_its_header_and_data_through()
    {
        var chunks = new Messages<ImageChunk>(
            new ImageChunk { Header = new PushHeader { Image = "myapp:abc1234" } },
            new ImageChunk { Data = Google.Protobuf.ByteString.CopyFromUtf8("layer bytes; } \n") });
        var received = 0;

        await _interceptor.ClientStreamingServerHandler<ImageChunk, PushImageReply>(chunks, null!, async (requests, _) =>
        {
            while (await requests.MoveNext(CancellationToken.None)) received++;
            return new PushImageReply();
        });

        Assert.That(received, Is.EqualTo(2));
    }

    [Test]
    public void A_push_with_a_bad_header_is_refused()
    {
        var chunks = new Messages<ImageChunk>(new ImageChunk { Header = new PushHeader { Image = "--privileged" } });

        var refused = Assert.ThrowsAsync<AgentFailure>(() => _interceptor.ClientStreamingServerHandler<ImageChunk, PushImageReply>(chunks, null!, async (requests, _) =>
        {
            await requests.MoveNext(CancellationToken.None);
            return new PushImageReply();
        }))!;

        Assert.That(refused.Message, Does.StartWith("header.image must be an image reference"));
    }
}
