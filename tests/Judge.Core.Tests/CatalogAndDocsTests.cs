using Judge.Core.Grading;
using Judge.Core.Problems;

namespace Judge.Core.Tests;

public class CatalogTests
{
    static Problem P(string id, string topic, Difficulty difficulty = Difficulty.Easy) =>
        new() { Id = id, Title = id, Topic = topic, Statement = "s", Solution = "x", Difficulty = difficulty };

    [Fact]
    public void Lists_by_topic_then_id_with_filters()
    {
        var catalog = new ProblemCatalog([P("b", "zeta"), P("c", "alpha", Difficulty.Hard), P("a", "alpha")]);
        catalog.List().Select(p => p.Id).Should().Equal("a", "c", "b");
        catalog.List(topic: "alpha").Select(p => p.Id).Should().Equal("a", "c");
        catalog.List(difficulty: Difficulty.Hard).Select(p => p.Id).Should().Equal("c");
    }

    [Fact]
    public void Upsert_replaces_and_remove_forgets()
    {
        var catalog = new ProblemCatalog();
        catalog.Upsert(P("a", "t")).Should().BeFalse();
        catalog.Upsert(P("a", "u")).Should().BeTrue();
        catalog.TryGet("a", out var got).Should().BeTrue();
        got.Topic.Should().Be("u");
        catalog.Remove("a").Should().BeTrue();
        catalog.Remove("a").Should().BeFalse();
        catalog.TryGet("a", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Concurrent_writers_and_readers_do_not_corrupt_it()
    {
        var catalog = new ProblemCatalog();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                catalog.Upsert(P($"p{w}-{i}", $"t{i % 5}"));
                _ = catalog.List(topic: "t1");
                if (i % 2 == 0) catalog.Remove($"p{w}-{i}");
            }
        })));
        catalog.Count.Should().Be(8 * 250);
    }
}

public class DocsTests
{
    static string ReadmePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Judge.sln")))
                return Path.Combine(dir.FullName, "problems", "README.md");
        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public void The_example_in_problems_readme_loads()
    {
        var text = File.ReadAllText(ReadmePath());
        var start = text.IndexOf("````yaml\n", StringComparison.Ordinal) + "````yaml\n".Length;
        var yaml = text[start..text.IndexOf("\n````", start, StringComparison.Ordinal)];

        var r = ProblemLoader.ParseYaml(yaml, "problems/decorators/count-calls.yaml");

        r.Errors.Should().BeEmpty();
        var p = r.Problem!;
        p.Tests.Should().HaveCount(7);
        p.Tests.Count(t => t.Hidden).Should().Be(2);
        p.Mutants.Should().HaveCount(3);
        p.Tests.Count(Grader.NeedsReference).Should().Be(1);
        p.Statement.Should().Contain("```python");
    }
}
