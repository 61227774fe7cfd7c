using Podlift.Cli.Configuration;

namespace Podlift.Tests.Unit;

public class AnnotatedYamlTests
{
    [Test]
    public void Paths_nest_keys_open_list_items_and_comment_out_whole_blocks()
    {
        var yaml = AnnotatedYaml.Render(
        [
            new("service", "shop", Comment: "the name"),
            new("servers"),
            new("servers[].host", "10.0.0.1"),
            new("servers[].user", "root", CommentedOut: true),
            YamlLine.Blank,
            new("registry", CommentedOut: true, Comment: "optional"),
            new("registry.server", "ghcr.io"),
            new("services.web.port", "8000"),
        ], commentColumn: 21);

        Assert.That(yaml, Is.EqualTo("""
            service: shop        # the name
            servers:
              - host: 10.0.0.1
                # user: root

            # registry:          # optional
            #   server: ghcr.io
            services:
              web:
                port: 8000

            """.ReplaceLineEndings("\n")));
    }
}
