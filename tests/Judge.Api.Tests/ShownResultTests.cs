using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Judge.Sandbox;

namespace Judge.Api.Tests;

/// <summary>What a client gets (and what is stored) per test: bounded fields with <c>truncated</c> naming what was cut,
/// and hidden tests that reveal nothing but name, verdict and concept.</summary>
public sealed class ShownResultTests
{
    const string Secret = "QZXSECRET";

    /// <summary>add-two's tests: "small numbers" (add(1, 2)) returns 50 000 ints and prints 100 KB; "negatives" passes;
    /// the hidden "big secret" (add(40, 2)) fails with output, an error and measurements that all carry a secret.</summary>
    static FakeSandbox Sandbox() => new((request, _) => Task.FromResult(request.Expr switch
    {
        "add(1, 2)" => new RunResult
        {
            Status = RunStatus.Ok, Value = JsonNode.Parse("[" + string.Join(",", Enumerable.Range(0, 50_000)) + "]"),
            Stdout = string.Concat(Enumerable.Repeat("line of output\n", 7_000)), WallMs = 900_001, CpuMs = 9, MemoryKb = 800_001,
        },
        "add(-1, -5)" => new RunResult { Status = RunStatus.Ok, Value = JsonNode.Parse("-6"), WallMs = 3, CpuMs = 2, MemoryKb = 10 },
        _ => new RunResult
        {
            Status = RunStatus.RuntimeError, Stdout = Secret, Stderr = Secret, WallMs = 512_347, CpuMs = 512_348, MemoryKb = 512_349,
            Error = new RunError("ValueError", $"{Secret} in the message", Line: 2, Traceback: Secret) { Bases = ["ValueError"] },
        },
    }));

    static async Task<(JsonElement Submitted, string StoredText)> SubmitAsync(JudgeApiFactory api)
    {
        var client = api.CreateClient();
        var response = await JudgeApiFactory.Submit(client, "add-two", "def add(a, b):\n    return 0\n", "?wait=true");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var stored = await client.GetStringAsync($"/v1/submissions/{body.GetProperty("id").GetGuid()}");
        return (body, stored);
    }

    [Fact]
    public async Task Large_values_and_output_are_stored_cut_and_named_in_truncated()
    {
        await using var api = new JudgeApiFactory(fakeSandbox: Sandbox());
        var (body, stored) = await SubmitAsync(api);

        foreach (var result in new[] { body, JsonDocument.Parse(stored).RootElement })
        {
            var big = result.GetProperty("tests")[0];
            big.GetProperty("verdict").GetString().Should().Be("wrong_answer");
            big.GetProperty("truncated").EnumerateArray().Select(t => t.GetString()).Should().BeEquivalentTo("actual", "stdout");
            // The value as its repr, cut: valid JSON (a string), at most the limit, never the 300 KB list.
            var actual = big.GetProperty("actual").GetString()!;
            actual.Should().StartWith("[0, 1, 2, 3").And.EndWith("...");
            Encoding.UTF8.GetByteCount(actual).Should().BeLessThanOrEqualTo(16 * 1024).And.BeGreaterThan(15 * 1024);
            var stdout = big.GetProperty("stdout").GetString()!;
            stdout.Should().StartWith("line of output\n");
            Encoding.UTF8.GetByteCount(stdout).Should().BeLessThanOrEqualTo(16 * 1024).And.BeGreaterThan(15 * 1024);
            big.GetProperty("expected").GetInt32().Should().Be(3);
            big.GetProperty("difference").GetString().Should().Be("expected int, got list");
            big.GetProperty("timeMs").GetInt64().Should().Be(900_001);

            var small = result.GetProperty("tests")[1];
            small.GetProperty("verdict").GetString().Should().Be("accepted");
            small.GetProperty("actual").GetInt32().Should().Be(-6);
            small.TryGetProperty("truncated", out _).Should().BeFalse("nothing was cut");
        }
        stored.Length.Should().BeLessThan(50_000, "three tests of at most 16 KiB per field");
    }

    [Fact]
    public async Task The_limit_is_a_setting()
    {
        await using var api = new JudgeApiFactory(new Dictionary<string, string?> { ["Limits:MaxShownBytes"] = "1024" }, Sandbox());
        var (body, _) = await SubmitAsync(api);

        var big = body.GetProperty("tests")[0];
        Encoding.UTF8.GetByteCount(big.GetProperty("actual").GetString()!).Should().BeLessThanOrEqualTo(1024);
        Encoding.UTF8.GetByteCount(big.GetProperty("stdout").GetString()!).Should().BeLessThanOrEqualTo(1024);
    }

    [Fact]
    public async Task A_failing_hidden_test_shows_only_its_name_verdict_and_concept()
    {
        await using var api = new JudgeApiFactory(fakeSandbox: Sandbox());
        var (body, stored) = await SubmitAsync(api);

        foreach (var result in new[] { body, JsonDocument.Parse(stored).RootElement })
        {
            var hidden = result.GetProperty("tests")[2];
            hidden.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("name", "verdict", "hidden", "concept");
            hidden.GetProperty("name").GetString().Should().Be("big secret");
            hidden.GetProperty("verdict").GetString().Should().Be("runtime_error");
            hidden.GetProperty("concept").GetString().Should().Be("hidden check");
            result.GetProperty("timeMs").GetInt64().Should().Be(900_001);
            result.GetProperty("memoryKb").GetInt64().Should().Be(800_001);
        }
        body.GetRawText().Should().NotContain(Secret).And.NotContain("51234", "no measurement of the hidden test");
        stored.Should().NotContain(Secret).And.NotContain("51234");
    }

    [Fact]
    public async Task The_openapi_schema_says_which_test_fields_are_optional()
    {
        await using var api = new JudgeApiFactory(fakeSandbox: FakeSandbox.Blocking());
        var doc = await api.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var test = doc.GetProperty("components").GetProperty("schemas").GetProperty("TestView");

        test.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Should().BeEquivalentTo("name", "verdict", "hidden");
        var properties = test.GetProperty("properties");
        properties.EnumerateObject().Select(p => p.Name).Should().Contain(["timeMs", "cpuMs", "memoryKb", "truncated"]);
        properties.GetProperty("truncated").GetProperty("type").ToString().Should().Contain("array");
    }
}
