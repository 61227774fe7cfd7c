using NUnit.Framework;
using Podlift.Cli.Output;

namespace Podlift.Tests.Unit;

public class ProgressBoardTests
{
    [TestCase(0, 7, "[                    ] 0/7")]
    [TestCase(5, 7, "[=============>      ] 5/7")]
    [TestCase(7, 7, "[===================>] 7/7")]
    public void A_line_shows_the_step_as_a_bar(int step, int total, string expected)
    {
        Assert.That(ProgressBoard.Line("10.0.0.1", 10, step, total, "Start containers"), Is.EqualTo($"10.0.0.1    {expected} Start containers"));
    }

    [Test]
    public void Each_server_keeps_its_own_line_and_later_draws_go_back_over_them()
    {
        var terminal = new StringWriter();
        var board = new ProgressBoard(terminal, ["10.0.0.1", "10.0.0.2"]);

        board.WriterFor("10.0.0.2").WriteLine("[5/7] Start containers...");
        board.WriterFor("10.0.0.2").WriteLine("✓ Health check passed (0.2s)");
        board.Dispose();
        terminal.GetStringBuilder().Clear();
        board.WriterFor("10.0.0.1").WriteLine("[3/7] Transfer...");

        Assert.That(terminal.ToString(), Is.Empty, "nothing is drawn once the board is finished");
    }

    [Test]
    public void The_last_draw_holds_each_servers_step_and_latest_message()
    {
        var terminal = new StringWriter();
        var board = new ProgressBoard(terminal, ["10.0.0.1", "10.0.0.2"]);
        board.WriterFor("10.0.0.1").WriteLine("[6/7] Update nginx...");
        board.WriterFor("10.0.0.2").WriteLine("[5/7] Start containers...");
        board.WriterFor("10.0.0.2").WriteLine("✓ Health check passed (0.2s)");

        var lastDraw = terminal.ToString().Split("\u001b[2A").Last();

        Assert.That(lastDraw, Does.Contain("10.0.0.1  [").And.Contain("6/7 Update nginx"));
        Assert.That(lastDraw, Does.Contain("5/7 ✓ Health check passed (0.2s)"));
    }
}
