using Podlift.Protocol;

namespace Podlift.Cli.Output;

/// <summary>The switch windows' receipts in words: what users got while traffic moved, as nginx logged it.</summary>
public static class Receipts
{
    /// <summary>"3,412 requests, 0 errors, 0 failed upstream attempts in 14.2 s", over every server's receipt; null without any.</summary>
    public static string? Summary(IEnumerable<SwitchReceipt?> receipts)
    {
        var all = receipts.OfType<SwitchReceipt>().ToList();
        if (all.Count == 0) return null;
        var window = TimeSpan.FromMilliseconds(all.Max(r => r.WindowMilliseconds));
        return $"{all.Sum(r => r.Requests):N0} requests, {all.Sum(r => r.ServerErrors)} errors, {all.Sum(r => r.FailedAttempts)} failed upstream attempts " +
               $"in {window.TotalSeconds:0.0} s (nginx's own log{(all.Count > 1 ? $", {all.Count} servers" : "")})";
    }

    /// <summary>For a history line: "412 req, 0 err".</summary>
    public static string Short(SwitchReceipt? receipt) => receipt is null ? "" : $"{receipt.Requests} req, {receipt.ServerErrors} err";
}
