using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Podlift.Agent.Hosting;

/// <summary>
/// Under systemd, stdout is the journal: each line carries its syslog priority prefix (&lt;6&gt;) so
/// `journalctl -p warning` works, and no timestamp (the journal adds one). Elsewhere, plain console lines.
/// </summary>
public static class AgentLogging
{
    public static LoggerConfiguration Configure(LoggerConfiguration configuration)
    {
        configuration
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Grpc", LogEventLevel.Warning)
            .Enrich.With<SyslogPriorityEnricher>();
        return UnderJournal
            ? configuration.WriteTo.Console(outputTemplate: "<{SyslogPriority}>{Message:lj}{NewLine}{Exception}")
            : configuration.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}");
    }

    private static bool UnderJournal => Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;

    private sealed class SyslogPriorityEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory factory)
        {
            var priority = logEvent.Level switch
            {
                LogEventLevel.Fatal => 2,
                LogEventLevel.Error => 3,
                LogEventLevel.Warning => 4,
                LogEventLevel.Information => 6,
                _ => 7,
            };
            logEvent.AddPropertyIfAbsent(factory.CreateProperty("SyslogPriority", priority));
        }
    }
}
