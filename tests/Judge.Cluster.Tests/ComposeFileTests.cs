using System.Diagnostics;
using Judge.Testing;
using YamlDotNet.RepresentationModel;

namespace Judge.Cluster.Tests;

/// <summary>
/// The two compose files as Docker Compose reads them (`config` needs the client only, no engine): the cluster with
/// PostgreSQL and scalable workers, and the single process on SQLite.
/// </summary>
public sealed class ComposeFileTests
{
    [SkippableFact]
    public async Task The_cluster_file_has_postgres_an_api_and_workers_that_can_be_scaled()
    {
        var services = await ConfigAsync("docker-compose.yml");
        services.Children.Keys.Select(k => k.ToString()).Should().BeEquivalentTo(["postgres", "api", "worker"]);

        var postgres = Service(services, "postgres");
        Scalar(postgres, "image").Should().StartWith("postgres:");
        Text(postgres["healthcheck"]).Should().Contain("pg_isready");
        Text(postgres["volumes"]).Should().Contain("/var/lib/postgresql/data");

        var api = Service(services, "api");
        Environment(api).Should().Contain("Judge__Role", "api").And.Contain("Storage__Provider", "postgres");
        Environment(api)["Storage__ConnectionString"].Should().Contain("Host=postgres");
        Text(api["ports"]).Should().Contain("8080");
        Text(api["depends_on"]).Should().Contain("postgres").And.Contain("service_healthy");

        var worker = Service(services, "worker");
        Environment(worker).Should().Contain("Judge__Role", "worker").And.Contain("Storage__Provider", "postgres");
        Text(worker["depends_on"]).Should().Contain("service_healthy");
        // --scale worker=N needs no fixed container name and no published host port.
        worker.Children.Keys.Select(k => k.ToString()).Should().NotContain(["container_name", "ports"]);
        SecurityOptions(worker).Should().BeEquivalentTo(SandboxOptions, "bwrap needs them inside a container");
    }

    [SkippableFact]
    public async Task The_single_file_runs_one_process_on_sqlite_with_the_sandbox_options()
    {
        var services = await ConfigAsync("docker-compose.single.yml");
        var judge = services.Children.Should().ContainSingle().Subject.Value.Should().BeOfType<YamlMappingNode>().Subject;
        Environment(judge).Should().Contain("Judge__Role", "all").And.Contain("Storage__Provider", "sqlite");
        Text(judge["ports"]).Should().Contain("8080");
        Text(judge["volumes"]).Should().Contain("/data");
        SecurityOptions(judge).Should().BeEquivalentTo(SandboxOptions);
    }

    static readonly string[] SandboxOptions = ["seccomp=unconfined", "apparmor=unconfined", "systempaths=unconfined"];

    /// <summary>`docker compose config` (or docker-compose, the older client) of a file at the repository root: its services.</summary>
    static async Task<YamlMappingNode> ConfigAsync(string file)
    {
        var compose = await FindComposeAsync();
        Skip.If(compose is null, "Docker Compose is not installed here (neither `docker compose` nor `docker-compose`); " +
            "the compose files were not checked");
        var (exitCode, stdout, stderr) = await RunAsync(compose![0], [.. compose[1..], "-f", file, "config"], JudgeProcess.RepositoryRoot());
        exitCode.Should().Be(0, $"{string.Join(' ', compose)} -f {file} config: {stderr}");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    static async Task<string[]?> FindComposeAsync()
    {
        foreach (var candidate in new[] { new[] { "docker", "compose" }, ["docker-compose"] })
        {
            try
            {
                if ((await RunAsync(candidate[0], [.. candidate[1..], "version"], "/")).ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { } // not on PATH
        }
        return null;
    }

    static YamlMappingNode Service(YamlMappingNode services, string name) => (YamlMappingNode)services[name];

    static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    /// <summary>A node written back as YAML text, for "contains" checks that hold for both clients' output styles.</summary>
    static string Text(YamlNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    static Dictionary<string, string> Environment(YamlMappingNode service) =>
        ((YamlMappingNode)service["environment"]).Children.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.ToString());

    static List<string> SecurityOptions(YamlMappingNode service) =>
        [.. ((YamlSequenceNode)service["security_opt"]).Children.Select(c => c.ToString())];

    static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string exe, string[] args, string directory)
    {
        var info = new ProcessStartInfo(exe, args)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
