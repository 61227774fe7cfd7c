using System.Reflection;
using System.Text.RegularExpressions;

namespace Podlift.Tests.EndToEnd;

/// <summary>
/// Where the test servers of every end-to-end fixture, the bench, the demo and servers.sh's default go: any
/// two can run at once, in every slot. No servers: it reads the fixtures' attributes and the scripts' defaults.
/// </summary>
public sealed partial class ServerPlacesTests
{
    private const int Slots = 10;

    [Test]
    public void InSlot_AppendsToThePrefixAndMovesSubnetAndPorts() =>
        Assert.That(new ServerPlace("e2ebw", "10.125.0", 18280).InSlot(4), Is.EqualTo(new ServerPlace("e2ebw4", "10.165.0", 22280)));

    [Test]
    public void InSlotZero_IsThePlaceItself() =>
        Assert.That(new ServerPlace("e2ebw", "10.125.0", 18280).InSlot(0), Is.EqualTo(new ServerPlace("e2ebw", "10.125.0", 18280)));

    [Test]
    public void Overlaps_OnTheSameSubnetOrAPortInCommon()
    {
        var place = new ServerPlace("a", "10.125.0", 18280);
        Assert.Multiple(() =>
        {
            Assert.That(place.Overlaps(new ServerPlace("b", "10.125.0", 19280)), Is.True, "same subnet");
            Assert.That(place.Overlaps(new ServerPlace("b", "10.126.0", 18330)), Is.True, "its HTTP ports are the other's HTTPS ports");
            Assert.That(place.Overlaps(new ServerPlace("a", "10.126.0", 19280)), Is.True, "same prefix");
            Assert.That(place.Overlaps(new ServerPlace("b", "10.125.1", 18380)), Is.False);
        });
    }

    [Test]
    public void NoTwoPlaces_Overlap_InAnySlot()
    {
        var fixtures = FixturePlaces().ToList();
        Assert.That(fixtures, Has.Count.GreaterThanOrEqualTo(10), "the end-to-end fixtures are found");
        // the fixtures and the bench move with PODLIFT_E2E_SLOT; the demo and servers.sh's default stay put
        var moving = fixtures.Append(new Named("the bench", ServerPlace.Bench)).ToList();
        var places = Enumerable.Range(0, Slots)
            .SelectMany(slot => moving.Select(p => new Named($"{p.Name} in slot {slot}", p.Place.InSlot(slot))))
            .Append(new Named("the demo", ScriptDefaults(Path.Combine(RepositoryPaths.Testing, "demo.sh"))))
            .Append(new Named("servers.sh's default", ScriptDefaults(Path.Combine(RepositoryPaths.TestServersScripts, "servers.sh"))))
            .ToList();

        var overlapping = places.SelectMany((a, i) => places.Skip(i + 1).Where(b => a.Place.Overlaps(b.Place)).Select(b => $"{a.Name}: {a.Place} and {b.Name}: {b.Place}"));

        Assert.That(overlapping, Is.Empty);
    }

    private sealed record Named(string Name, ServerPlace Place);

    private static IEnumerable<Named> FixturePlaces() =>
        from type in typeof(ServerFixture).Assembly.GetTypes()
        where type.IsSubclassOf(typeof(ServerFixture)) && !type.IsAbstract
        from fixture in type.GetCustomAttributes<TestFixtureAttribute>()
        let arguments = fixture.Arguments // (suite, prefix, subnet, httpPortBase)
        select new Named($"{type.Name}({arguments[0]})", new ServerPlace((string)arguments[1]!, (string)arguments[2]!, (int)arguments[3]!));

    /// <summary>The place a script takes when PREFIX, SUBNET and HTTP_PORT_BASE are not set: its ${NAME:-default}s.</summary>
    private static ServerPlace ScriptDefaults(string script)
    {
        var defaults = DefaultAssignment().Matches(File.ReadAllText(script)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return new ServerPlace(defaults["PREFIX"], defaults["SUBNET"], int.Parse(defaults["HTTP_PORT_BASE"]));
    }

    [GeneratedRegex(@"\b(PREFIX|SUBNET|HTTP_PORT_BASE)=\$\{\1:-([^}]+)\}")]
    private static partial Regex DefaultAssignment();
}
