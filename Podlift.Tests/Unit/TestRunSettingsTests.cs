using System.Reflection;
using System.Xml.Linq;

namespace Podlift.Tests.Unit;

/// <summary>The test project's own run settings keep `--filter "Category!=e2e"` a filter, however many tests there are.</summary>
public class TestRunSettingsTests
{
    /// <summary>The NUnit adapter's AssemblySelectLimit when no run settings name one.</summary>
    private const int AdapterDefaultLimit = 2_000;

    /// <summary>Test cases by their attributes: a [TestCase] each, a [Test] once, times the fixture's [TestFixture] variants.</summary>
    private static int CountTestCases() => typeof(TestRunSettingsTests).Assembly.GetTypes().Sum(type =>
        Math.Max(1, type.GetCustomAttributes<TestFixtureAttribute>().Count()) *
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Sum(method =>
            method.GetCustomAttributes<TestCaseAttribute>().Count() + (method.IsDefined(typeof(TestAttribute)) ? 1 : 0) +
            method.GetCustomAttributes<TestCaseSourceAttribute>().Count()));

    [Test]
    public void The_adapter_is_given_a_select_limit_far_above_the_number_of_tests()
    {
        var project = XDocument.Load(Path.Combine(RepositoryPaths.Root, "Podlift.Tests", "Podlift.Tests.csproj"));
        var settingsPath = project.Descendants("RunSettingsFilePath").Single().Value.Replace("$(MSBuildProjectDirectory)", Path.Combine(RepositoryPaths.Root, "Podlift.Tests"));
        var limit = int.Parse(XDocument.Load(settingsPath).Descendants("AssemblySelectLimit").SingleOrDefault()?.Value ?? AdapterDefaultLimit.ToString());

        var tests = CountTestCases();

        Assert.That(tests, Is.GreaterThan(1_000), "the count sees the suite");
        Assert.That(limit, Is.GreaterThan(10 * tests),
            "at or above the limit, the adapter runs every test (end-to-end ones too) and hides the results it was not asked for");
    }
}
