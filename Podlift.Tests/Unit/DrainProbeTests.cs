using NUnit.Framework;
using System.Net;
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

        var workers = cmdlines.Select(p => NginxProcesses.ParseWorker(p.Key, p.Value)).OfType<NginxWorker>();

        Assert.That(workers, Is.EqualTo(new[]
        {
            new NginxWorker(801, ShuttingDown: true),
            new NginxWorker(802, ShuttingDown: false),
            new NginxWorker(803, ShuttingDown: false),
        }));
        Assert.That(NginxProcesses.IsMaster(cmdlines[800]), Is.True);
        Assert.That(NginxProcesses.IsMaster(cmdlines[802]), Is.False);
    }

    [TestCase("812 (nginx) S 800 812 812 0 -1 4194624 30 0 0 0", 800)]
    [TestCase("4242 (my (odd) name) R 1 4242 4242 0 -1", 1)]
    [TestCase("9 (a b) S 0 0 0", 0)]
    [TestCase("garbage", null)]
    [TestCase("9 (x)", null)]
    public void ParseParent_reads_the_parent_pid_even_when_the_command_name_has_spaces_and_parentheses(string stat, int? expected)
    {
        Assert.That(NginxProcesses.ParseParent(stat), Is.EqualTo(expected));
    }

    [TestCase("0100007F:4E21", "127.0.0.1:20001")]
    [TestCase("0B007D0A:0050", "10.125.0.11:80")]
    [TestCase("0B007D0A:4E22", "10.125.0.11:20002")]
    [TestCase("0100A8C0:FFFF", "192.168.0.1:65535")]
    [TestCase("00000000:0000", "0.0.0.0:0")]
    public void ParseEndpoint_reads_the_little_endian_address_and_hex_port(string text, string expected)
    {
        Assert.That(DrainProbe.ParseEndpoint(text), Is.EqualTo(IPEndPoint.Parse(expected)));
    }

    [TestCase("0100007F")]
    [TestCase("0100007F:")]
    [TestCase("100007F:4E21")]
    [TestCase("0100007FF:4E21")]
    [TestCase("ZZ00007F:4E21")]
    [TestCase("0100007F:XYZ")]
    [TestCase("00000000000000000000000001000000:4E21")]
    [TestCase("")]
    public void ParseEndpoint_of_anything_but_an_ipv4_endpoint_is_null(string text)
    {
        Assert.That(DrainProbe.ParseEndpoint(text), Is.Null);
    }

    // backends on two servers: 10.125.0.11 and 10.125.0.12 (0B007D0A, 0C007D0A)
    private const string ProcNetTcpToPeers =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        // nginx -> 10.125.0.11:20001, established twice
        "   0: 0A007D0A:A000 0B007D0A:4E21 01 00000000:00000000 00:00000000 00000000    33        0 1 1 0 20 4 30 10 -1\n" +
        "   1: 0A007D0A:A001 0B007D0A:4E21 01 00000000:00000000 00:00000000 00000000    33        0 2 1 0 20 4 30 10 -1\n" +
        // nginx -> 10.125.0.12:20001: same port, other server
        "   2: 0A007D0A:A002 0C007D0A:4E21 01 00000000:00000000 00:00000000 00000000    33        0 3 1 0 20 4 30 10 -1\n" +
        // nginx -> 10.125.0.11:20002: same server, other port
        "   3: 0A007D0A:A003 0B007D0A:4E22 01 00000000:00000000 00:00000000 00000000    33        0 4 1 0 20 4 30 10 -1\n" +
        // an old connection to 10.125.0.11:20001 in TIME_WAIT, and one closing (FIN_WAIT1)
        "   4: 0A007D0A:A004 0B007D0A:4E21 06 00000000:00000000 03:00000F3C 00000000     0        0 0 3 0\n" +
        "   5: 0A007D0A:A005 0B007D0A:4E21 04 00000000:00000000 00:00000000 00000000    33        0 6 1 0 20 4 30 10 -1\n" +
        // the local backend, 127.0.0.1:20001
        "   6: 0100007F:A006 0100007F:4E21 01 00000000:00000000 00:00000000 00000000    33        0 7 1 0 20 4 30 10 -1\n";

    [TestCase(new[] { "10.125.0.11:20001" }, 2)]
    [TestCase(new[] { "10.125.0.12:20001" }, 1)]
    [TestCase(new[] { "10.125.0.11:20002" }, 1)]
    [TestCase(new[] { "127.0.0.1:20001" }, 1)]
    [TestCase(new[] { "10.125.0.11:20001", "10.125.0.11:20002" }, 3)]
    [TestCase(new[] { "10.125.0.13:20001" }, 0)]
    [TestCase(new[] { "10.125.0.11:20003" }, 0)]
    [TestCase(new string[0], 0)]
    public void Counts_established_connections_to_endpoints_matching_address_and_port(string[] endpoints, int expected)
    {
        var wanted = endpoints.Select(IPEndPoint.Parse).ToHashSet();

        Assert.That(DrainProbe.CountConnectionsTo(ProcNetTcpToPeers, wanted), Is.EqualTo(expected));
    }

    [Test]
    public void Counting_by_endpoint_ignores_the_server_side_of_a_connection()
    {
        // line 5 of ProcNetTcp has local port 20001: it is the backend's end, not a connection to it
        Assert.That(DrainProbe.CountConnectionsTo(ProcNetTcp, new HashSet<IPEndPoint> { IPEndPoint.Parse("127.0.0.1:20001") }), Is.EqualTo(2));
    }
}
