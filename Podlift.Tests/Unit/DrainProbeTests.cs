using NUnit.Framework;
using Podlift.Agent.Proxy;

namespace Podlift.Tests.Unit;

public class DrainProbeTests
{
    // 20001 = 0x4E21, 20002 = 0x4E22; 80 = 0x0050
    private const string ProcNetTcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        // nginx listening on :80
        "   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18446 1 0000000000000000 100 0 0 10 0\n" +
        // docker-proxy listening on the container's host port
        "   1: 0100007F:4E21 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 30111 1 0000000000000000 100 0 0 10 0\n" +
        // nginx -> 127.0.0.1:20001, established (two keepalive connections)
        "   2: 0100007F:D6A2 0100007F:4E21 01 00000000:00000000 00:00000000 00000000    33        0 30543 1 0000000000000000 20 4 30 10 -1\n" +
        "   3: 0100007F:D6A4 0100007F:4E21 01 00000000:00000000 00:00000000 00000000    33        0 30544 1 0000000000000000 20 4 30 10 -1\n" +
        // nginx -> 20002, established
        "   4: 0100007F:D6B0 0100007F:4E22 01 00000000:00000000 00:00000000 00000000    33        0 30560 1 0000000000000000 20 4 30 10 -1\n" +
        // the server side of the first connection: local port 20001, remote is nginx's ephemeral port
        "   5: 0100007F:4E21 0100007F:D6A2 01 00000000:00000000 00:00000000 00000000     0        0 30545 1 0000000000000000 20 4 30 10 -1\n" +
        // an old connection to 20001 in TIME_WAIT
        "   6: 0100007F:D690 0100007F:4E21 06 00000000:00000000 03:00000F3C 00000000     0        0 0 3 0000000000000000\n" +
        // a client connected to nginx on :80
        "   7: 0A000001:0050 C0A80105:E3B2 01 00000000:00000000 02:000AFC4E 00000000    33        0 31000 2 0000000000000000 20 4 30 10 -1\n";

    private const string ProcNetTcp6 =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        "   0: 00000000000000000000000001000000:D6C0 00000000000000000000000001000000:4E21 01 00000000:00000000 00:00000000 00000000    33        0 40001 1 0000000000000000 20 4 30 10 -1\n";

    [TestCase(new[] { 20001 }, 2)]
    [TestCase(new[] { 20002 }, 1)]
    [TestCase(new[] { 20001, 20002 }, 3)]
    [TestCase(new[] { 20003 }, 0)]
    [TestCase(new int[0], 0)]
    public void Counts_established_connections_to_the_ports(int[] ports, int expected)
    {
        Assert.That(DrainProbe.CountConnectionsTo(ProcNetTcp, ports.ToHashSet()), Is.EqualTo(expected));
    }

    [Test]
    public void Counts_tcp6_connections()
    {
        Assert.That(DrainProbe.CountConnectionsTo(ProcNetTcp6, new HashSet<int> { 20001 }), Is.EqualTo(1));
    }

    [Test]
    public void The_header_and_garbage_lines_are_ignored()
    {
        const string text = "  sl  local_address rem_address   st\n\n   garbage\n   0: 0100007F:D6A2 0100007F 01\n   1: x:y 0100007F:ZZZZ 01\n" +
                            "   2: 0100007F:D6A2 0100007F:4E21 01\n";

        Assert.That(DrainProbe.CountConnectionsTo(text, new HashSet<int> { 20001 }), Is.EqualTo(1));
    }

    [Test]
    public void Picks_the_nginx_workers_out_of_the_process_list()
    {
        var cmdlines = new Dictionary<int, string>
        {
            [1] = "/sbin/init\0splash\0",
            [800] = "nginx: master process /usr/sbin/nginx -g daemon on; master_process on;\0",
            [801] = "nginx: worker process is shutting down\0",
            [802] = "nginx: worker process\0",
            [803] = "nginx: worker process",
            [804] = "nginx: cache manager process\0",
            [900] = "/usr/sbin/nginx\0-g\0daemon off;\0",
            [901] = "/usr/bin/python3\0worker.py\0nginx: worker process\0",
            [902] = "",
        };

        var workers = cmdlines.Select(p => DrainProbe.ParseNginxWorker(p.Key, p.Value)).OfType<DrainProbe.NginxWorker>();

        Assert.That(workers, Is.EqualTo(new[]
        {
            new DrainProbe.NginxWorker(801, ShuttingDown: true),
            new DrainProbe.NginxWorker(802, ShuttingDown: false),
            new DrainProbe.NginxWorker(803, ShuttingDown: false),
        }));
    }
}
