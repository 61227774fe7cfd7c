using Podlift.Protocol;

namespace Podlift.Tests.Unit;

public class ProjectSourceTests
{
    [TestCase("https://ci:TOKEN@host/org/repo.git", "https://host/org/repo.git")]
    [TestCase("https://x-access-token:ghs_abc123@github.com/org/repo.git", "https://github.com/org/repo.git")]
    [TestCase("https://oauth2:glpat-XyZ@gitlab.example.com/group/sub/repo.git", "https://gitlab.example.com/group/sub/repo.git")]
    [TestCase("https://ghp_onlyatoken@github.com/org/repo", "https://github.com/org/repo")]
    [TestCase("https://ci:p%40ss%2Fword@host:8443/org/repo.git", "https://host:8443/org/repo.git")]
    [TestCase("https://ci:p@ss@host/org/repo.git", "https://host/org/repo.git")]
    [TestCase("https://ci:ab?cd@host/org/repo.git", "https://host/org/repo.git")]
    [TestCase("https://host/org/repo.git?private_token=abc#frag", "https://host/org/repo.git")]
    [TestCase("https://org@dev.azure.com/org/project/_git/repo", "https://dev.azure.com/org/project/_git/repo")]
    [TestCase("ssh://git@host:22/org/repo.git", "ssh://host:22/org/repo.git")]
    [TestCase("git+ssh://me@host/org/repo.git", "git+ssh://host/org/repo.git")]
    [TestCase("git://host/org/repo.git", "git://host/org/repo.git")]
    [TestCase("http://[::1]:3000/org/repo.git", "http://[::1]:3000/org/repo.git")]
    [TestCase("https://u:pw@[2001:db8::1]/org/repo.git", "https://[2001:db8::1]/org/repo.git")]
    [TestCase("file:///srv/git/repo.git", "file:///srv/git/repo.git")]
    [TestCase("git@github.com:org/repo.git", "git@github.com:org/repo.git")]
    [TestCase("ci:TOKEN@host:org/repo.git", "host:org/repo.git")]
    [TestCase("git@[::1]:org/repo.git", "git@[::1]:org/repo.git")]
    [TestCase("github.com:org/repo.git", "github.com:org/repo.git")]
    [TestCase("laptop:/home/me/app", "laptop:/home/me/app")]
    [TestCase("laptop:/home/me@corp/app", "laptop:/home/me@corp/app")]
    [TestCase("/srv/git/repo.git", "/srv/git/repo.git")]
    [TestCase("../repo", "../repo")]
    [TestCase("  https://ci:T@host/o/r.git\n", "https://host/o/r.git")]
    [TestCase("", "")]
    public void Credentials_never_stay_in_the_source(string source, string clean)
    {
        Assert.That(ProjectSource.WithoutCredentials(source), Is.EqualTo(clean));
    }

    [TestCase("https://ci:TOKEN@host/org/repo.git", "host/org/repo")]
    [TestCase("https://Host.Example.COM/org/repo/", "host.example.com/org/repo")]
    [TestCase("https://host/org/repo.git/", "host/org/repo")]
    [TestCase("ssh://git@host:2222/org/repo.git", "host/org/repo")]
    [TestCase("git@HOST:org/repo.git", "host/org/repo")]
    [TestCase("git@host:/org/repo.git", "host/org/repo")]
    [TestCase("ssh://host/~me/repo.git", "host/~me/repo")]
    [TestCase("me@host:~me/repo.git", "host/~me/repo")]
    [TestCase("https://host/Org/Repo", "host/Org/Repo")]
    [TestCase("file:///srv/git/repo.git/", "/srv/git/repo")]
    [TestCase("/srv/git/repo.git", "/srv/git/repo")]
    [TestCase("Laptop:/home/me/app", "laptop/home/me/app")]
    [TestCase("/", "/")]
    public void Identity_is_the_host_and_the_repository_path(string source, string identity)
    {
        Assert.That(ProjectSource.Identity(source), Is.EqualTo(identity));
    }

    [TestCase("https://ci:OLD@host/o/r.git", "https://ci:NEW@host/o/r.git")]
    [TestCase("https://x-access-token:ghs_1@github.com/o/r.git", "git@github.com:o/r.git")]
    [TestCase("ssh://git@github.com:22/o/r.git", "https://github.com/o/r")]
    [TestCase("https://GITHUB.com/o/r.git", "https://github.com/o/r/")]
    [TestCase("laptop:/home/me/app", "laptop:/home/me/app/")]
    public void The_same_project(string a, string b)
    {
        Assert.That(ProjectSource.SameProject(a, b), Is.True);
    }

    [TestCase("https://host/o/r.git", "https://host/o/other.git")]
    [TestCase("https://host/o/r.git", "https://elsewhere/o/r.git")]
    [TestCase("https://host/o/r.git", "https://host/o/r/sub.git")]
    [TestCase("https://host/o/r.git", "https://host/O/R.git")]
    [TestCase("laptop:/home/me/app", "desktop:/home/me/app")]
    [TestCase("/srv/git/repo", "laptop:/srv/git/repo")]
    public void Another_project(string a, string b)
    {
        Assert.That(ProjectSource.SameProject(a, b), Is.False);
    }
}
