using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Judge.Bench;

/// <summary>The HTTP calls the benchmarks make, and the problems they post.</summary>
internal sealed class JudgeClient(Uri baseAddress) : IDisposable
{
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(150),
    };

    public void Dispose() => Http.Dispose();

    public const string TenTestProblem = "bench-add-ten";
    public const string LoadProblem = "bench-load-add";
    public const string AddSolution = "def add(a, b):\n    return a + b\n";

    /// <summary>Posts the two problems the benchmarks use (admin key); throws unless each is created or replaced.</summary>
    public async Task PostProblemsAsync()
    {
        await PostProblem(Problem(TenTestProblem, 10, null));
        await PostProblem(Problem(LoadProblem, 2, new JsonObject { ["timeMs"] = 100, ["memoryMb"] = 32 }));
    }

    static JsonObject Problem(string id, int tests, JsonObject? limits)
    {
        var list = new JsonArray();
        for (int i = 0; i < tests; i++)
            list.Add(new JsonObject { ["name"] = $"t{i}", ["expr"] = $"add({i}, {i * 7 + 1})", ["expect"] = i + i * 7 + 1, ["hidden"] = i % 2 == 1 });
        var doc = new JsonObject
        {
            ["id"] = id,
            ["title"] = "Add (benchmark)",
            ["topic"] = "bench",
            ["statement"] = "Write `add(a, b)` returning `a + b`. Example: `add(2, 3) == 5`.",
            ["starter"] = "def add(a, b):\n    return 0\n",
            ["solution"] = AddSolution,
            ["mutants"] = new JsonArray(new JsonObject { ["name"] = "subtracts", ["code"] = "def add(a, b):\n    return a - b\n" }),
            ["tests"] = list,
        };
        if (limits is not null) doc["limits"] = limits;
        return doc;
    }

    async Task PostProblem(JsonObject doc)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/problems") { Content = JsonContent.Create(doc) };
        request.Headers.Add("X-Api-Key", ApiProcess.AdminKey);
        using var response = await Http.SendAsync(request);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
            throw new InvalidOperationException($"POST /v1/problems {doc["id"]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>POST /v1/runs of a trivial snippet; throws unless it printed 5.</summary>
    public async Task<JsonElement> AdHocRunAsync()
    {
        using var response = await Http.PostAsJsonAsync("/v1/runs", new { code = "def add(a, b):\n    return a + b\nprint(add(2, 3))\n" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.StatusCode != HttpStatusCode.OK || body.GetProperty("status").GetString() != "ok" || body.GetProperty("stdout").GetString() != "5\n")
            throw new InvalidOperationException($"POST /v1/runs: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>POST /v1/submissions?wait=true; throws unless 200 and completed with one of the expected verdicts.</summary>
    public async Task<JsonElement> SubmitAndWaitAsync(string problemId, string code, params string[] expectedVerdicts)
    {
        using var response = await Http.PostAsJsonAsync("/v1/submissions?wait=true", new { problemId, code });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.StatusCode != HttpStatusCode.OK || !expectedVerdicts.Contains(body.GetProperty("verdict").GetString()))
            throw new InvalidOperationException($"POST /v1/submissions?wait=true: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>The value of every sample line of /metrics (name with labels → value).</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        var text = await Http.GetStringAsync("/metrics");
        var result = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                result[line[..space]] = v;
        }
        return result;
    }
}

internal static class MetricsExtensions
{
    /// <summary>The sum of every series of <paramref name="name"/>, whatever its labels (the node's role and id, for one).</summary>
    public static double Get(this Dictionary<string, double> m, string name) =>
        m.Where(kv => kv.Key == name || (kv.Key.StartsWith(name, StringComparison.Ordinal) && kv.Key.Length > name.Length && kv.Key[name.Length] == '{'))
            .Sum(kv => kv.Value);

    /// <summary>Mean of a histogram between two snapshots, in milliseconds (NaN when nothing was observed).</summary>
    public static double MeanMsSince(this Dictionary<string, double> after, Dictionary<string, double> before, string histogram)
    {
        double count = after.Get(histogram + "_count") - before.Get(histogram + "_count");
        double sum = after.Get(histogram + "_sum") - before.Get(histogram + "_sum");
        return count <= 0 ? double.NaN : sum / count * 1000;
    }
}
