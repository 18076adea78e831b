using System.Diagnostics;
using Judge.Bench;

namespace Judge.Sandbox.Tests;

/// <summary>What a run reports: values in the tagged form, errors, script mode, stdin, virtual-clock asyncio.</summary>
[Collection(PoolCollection.Name)]
public sealed class HarnessTests(PoolFixture fx)
{
    [Theory(Timeout = 60_000)]
    [InlineData("(1, [2, 3])", "{\"$tuple\":[1,[2,3]]}")]
    [InlineData("{3, 1, 2}", "{\"$set\":[1,2,3]}")]
    [InlineData("frozenset({'a'})", "{\"$frozenset\":[\"a\"]}")]
    [InlineData("2 ** 100", "{\"$int\":\"1267650600228229401496703205376\"}")]
    [InlineData("float('nan')", "{\"$float\":\"nan\"}")]
    [InlineData("1.0", "1.0")]
    [InlineData("True", "true")]
    [InlineData("b'hi'", "{\"$bytes\":\"aGk=\"}")]
    [InlineData("{1: 'a'}", "{\"$dict\":[[1,\"a\"]]}")]
    [InlineData("{'k': None}", "{\"k\":null}")]
    [InlineData("'żółw ✓'", "\"żółw ✓\"")]
    public async Task Values_keep_their_python_types(string expr, string json)
    {
        var r = await fx.Run("", expr);
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        r.Value!.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Should().Be(json);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("class Liar:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n", "Liar()", "solution.Liar")]
    [InlineData("class Fake:\n    @property\n    def __class__(self):\n        return int\n", "Fake()", "solution.Fake")]
    [InlineData("class L(list):\n    def __iter__(self):\n        while True:\n            yield 1\n", "L([1])", "solution.L")]
    [InlineData("def g():\n    yield 1\n", "g()", "generator")]
    public async Task Objects_that_lie_are_unrepresentable(string code, string expr, string typeName)
    {
        var r = await fx.Run(code, expr);
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        r.Value!["$unrepresentable"]!.GetValue<string>().Should().Be(typeName);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_list_containing_itself_is_marked_not_looped()
    {
        var r = await fx.Run("x = []\nx.append(x)\n", "x");
        r.Status.Should().Be(RunStatus.Ok);
        r.Value!.ToJsonString().Should().Contain("cycle");
    }

    [Fact(Timeout = 60_000)]
    public async Task Errors_show_type_message_line_and_candidate_frames_only()
    {
        var r = await fx.Run("def f(x):\n    return g(x)\n\ndef g(x):\n    raise ValueError('bad ' + str(x))\n", "f(7)");
        r.Status.Should().Be(RunStatus.RuntimeError);
        r.Error!.Type.Should().Be("ValueError");
        r.Error.Message.Should().Be("bad 7");
        r.Error.Line.Should().Be(5);
        r.Error.Bases.Should().Equal("ValueError", "Exception", "BaseException");
        r.Error.Traceback.Should().Contain("line 2, in f").And.Contain("line 5, in g").And.NotContain("harness");
    }

    [Fact(Timeout = 60_000)]
    public async Task Custom_exception_reports_its_bases()
    {
        var r = await fx.Run("class Insufficient(ValueError):\n    pass\n", "(_ for _ in ()).throw(Insufficient('low'))");
        r.Error!.Bases.Should().StartWith(["Insufficient", "ValueError"]);
    }

    [Fact(Timeout = 60_000)]
    public async Task Syntax_error_is_a_compilation_error_with_line_and_column()
    {
        var r = await fx.Run("def f(:\n    pass\n", "f()");
        r.Status.Should().Be(RunStatus.CompilationError);
        r.Error!.Type.Should().Be("SyntaxError");
        r.Error.Line.Should().Be(1);
        r.Error.Column.Should().BePositive();
    }

    [Fact(Timeout = 60_000)]
    public async Task Script_mode_reads_stdin_and_captures_stdout_and_stderr()
    {
        var r = await fx.Run("import sys\nn = int(input())\nprint(sum(range(n)))\nprint('note', file=sys.stderr)\n", stdin: "10\n", mode: RunMode.Script);
        r.Status.Should().Be(RunStatus.Ok);
        r.Stdout.Should().Be("45\n");
        r.Stderr.Should().Be("note\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task Function_mode_does_not_run_the_main_block()
    {
        var r = await fx.Run("def f():\n    return 1\nif __name__ == '__main__':\n    print('main ran')\n", "f()");
        r.Stdout.Should().BeEmpty();
        r.Value!.ToJsonString().Should().Be("1");
    }

    [Fact(Timeout = 60_000)]
    public async Task Setup_runs_in_the_candidate_module_and_source_is_visible()
    {
        var r = await fx.Run("def f():\n    yield 1\n", "(inspect.isgeneratorfunction(f), 'yield' in __source__)", setup: "import inspect");
        r.Value!.ToJsonString().Should().Be("{\"$tuple\":[true,true]}");
    }

    [Fact(Timeout = 60_000)]
    public async Task Asyncio_sleep_runs_on_a_virtual_clock()
    {
        const string code = "import asyncio\nasync def work(i):\n    await asyncio.sleep(10)\n    return i\n" +
            "async def main():\n    loop = asyncio.get_running_loop()\n    t0 = loop.time()\n    r = await asyncio.gather(*(work(i) for i in range(3)))\n    return r, loop.time() - t0\n";
        var r = await fx.Run(code, "asyncio.run(main())");
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        r.Value!.ToJsonString().Should().Be("{\"$tuple\":[[0,1,2],10.0]}");
        r.WallMs.Should().BeLessThan(1000, "ten virtual seconds cost no wall time");
    }

    [Fact(Timeout = 60_000)]
    public async Task Memory_growth_is_measured_from_the_childs_own_baseline()
    {
        var small = await fx.Run("", "1");
        var big = await fx.Run("x = bytearray(20 * 1024 * 1024)\nfor i in range(0, len(x), 4096):\n    x[i] = 1\n", "len(x)");
        big.Status.Should().Be(RunStatus.Ok);
        big.MemoryKb.Should().BeInRange(20 * 1024, 40 * 1024);
        small.MemoryKb.Should().BeLessThan(4 * 1024);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_trivial_run_grows_by_little_even_when_its_child_was_forked_on_the_spot()
    {
        // 32 at once outrun the hosts' two waiting spares each: most children are forked for their run and have not
        // done their own set-up when it starts. That set-up is not the run's memory.
        var runs = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => fx.Run("", "1")));
        runs.Should().OnlyContain(r => r.Status == RunStatus.Ok);
        runs.Max(r => r.MemoryKb).Should().BeLessThan(2 * 1024);
    }

    [Fact(Timeout = 60_000)]
    public async Task Runs_share_no_state()
    {
        var first = await fx.Run("import builtins, json\nbuiltins.LEAK = 1\njson.dumps = None\n", "1");
        first.Status.Should().Be(RunStatus.Ok);
        var second = await fx.Run("import builtins, json\n", "(hasattr(builtins, 'LEAK'), json.dumps is None)");
        second.Value!.ToJsonString().Should().Be("{\"$tuple\":[false,false]}");
    }

    [Fact(Timeout = 120_000)]
    public async Task An_earlier_runs_code_is_not_in_a_later_childs_memory()
    {
        string marker = "SECRET" + Guid.NewGuid().ToString("N");
        (await fx.Run($"token = '{marker}'\n", "len(token)")).Status.Should().Be(RunStatus.Ok);
        string prefix = marker[..10], suffix = marker[10..];
        string scan = "def scan(needle):\n    hits = 0\n    for line in open('/proc/self/maps'):\n        parts = line.split()\n" +
            "        if 'r' not in parts[1] or (len(parts) > 5 and parts[5].startswith('[v')):\n            continue\n" +
            "        lo, hi = (int(x, 16) for x in parts[0].split('-'))\n        if hi - lo > 1 << 28:\n            continue\n" +
            "        try:\n            with open('/proc/self/mem', 'rb') as m:\n                m.seek(lo)\n                hits += m.read(hi - lo).count(needle)\n" +
            "        except (OSError, ValueError, OverflowError):\n            pass\n    return hits\n";
        // The needle is built at run time so the scanning run's own source does not contain it.
        var r = await fx.Run(scan, $"scan(('{prefix}' + '{suffix}').encode()) - 1", limits: new ResourceLimits(5000, 512));
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        r.Value!.GetValue<int>().Should().BeLessThanOrEqualTo(0, "only the needle this run built itself may be found");
    }

    [Fact(Timeout = 60_000)]
    public async Task Threads_executors_logging_and_a_fresh_random_state_work_in_every_child()
    {
        // Children are cloned without the interpreter's after-fork hooks (sandbox/harness.py, _clone): this is what
        // those hooks would otherwise guarantee.
        const string code = """
            import concurrent.futures, logging, random, threading

            def check():
                main_is_current = threading.current_thread() is threading.main_thread()
                results = []
                workers = [threading.Thread(target=results.append, args=(i,)) for i in range(4)]
                for w in workers:
                    w.start()
                for w in workers:
                    w.join()
                with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
                    squares = sorted(pool.map(lambda x: x * x, range(5)))
                logging.getLogger("candidate").warning("logged")
                return main_is_current, sorted(results), squares, threading.active_count(), random.random()
            """;
        var first = await fx.Run(code, "check()");
        var second = await fx.Run(code, "check()");
        first.Status.Should().Be(RunStatus.Ok, first.Error?.Message);
        second.Status.Should().Be(RunStatus.Ok, second.Error?.Message);
        first.Value!.ToJsonString().Should().StartWith("{\"$tuple\":[true,[0,1,2,3],[0,1,4,9,16],1,");
        first.Stderr.Should().Contain("logged");
        var lastOf = (RunResult r) => r.Value!["$tuple"]![4]!.GetValue<double>();
        lastOf(first).Should().NotBe(lastOf(second), "every run starts from a fresh random seed");
    }

    [Fact(Timeout = 60_000)]
    public async Task Output_up_to_the_limit_is_kept_whole_and_one_byte_more_is_output_limit_exceeded()
    {
        int limit = new Pool.SandboxOptions().OutputLimitBytes;
        var atLimit = await fx.Run($"import sys\nsys.stdout.write('x' * {limit})\nsys.stderr.write('y' * {limit})\n", mode: RunMode.Script);
        atLimit.Status.Should().Be(RunStatus.Ok, atLimit.Error?.Message);
        atLimit.Stdout.Should().HaveLength(limit).And.Match(s => s.All(c => c == 'x'));
        atLimit.Stderr.Should().HaveLength(limit);
        atLimit.StdoutTruncated.Should().BeFalse();

        var over = await fx.Run($"import sys\nsys.stdout.write('x' * {limit + 1})\n", mode: RunMode.Script);
        over.Status.Should().Be(RunStatus.OutputLimitExceeded);
        over.Stdout.Should().HaveLength(limit);
        over.StdoutTruncated.Should().BeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_request_larger_than_its_pipe_arrives_whole()
    {
        // The request pipe holds at most 1 MiB: the rest is written while the child reads.
        string stdin = string.Concat(Enumerable.Repeat("0123456789abcdef\n", 70_000)); // 1.19 MB
        var r = await fx.Run("import sys, hashlib\ndata = sys.stdin.read()\nprint(len(data), hashlib.sha256(data.encode()).hexdigest())\n",
            stdin: stdin, mode: RunMode.Script);
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(stdin)));
        r.Stdout.Should().Be($"{stdin.Length} {hash}\n");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_value_larger_than_the_result_pipe_comes_back_as_too_large()
    {
        var fits = await fx.Run("", "'v' * 500_000");
        fits.Status.Should().Be(RunStatus.Ok);
        fits.Value!.GetValue<string>().Should().HaveLength(500_000);

        // 900,000 characters (inside the value encoder's budget), 1.8 MB as UTF-8: more than the 1 MiB result pipe.
        var tooLarge = await fx.Run("", "['é' * 1000] * 900");
        tooLarge.Status.Should().Be(RunStatus.Ok);
        tooLarge.Value!.ToJsonString().Should().Contain("$unrepresentable").And.Contain("too large");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_zygote_holds_no_dotnet_code_no_shared_writable_memory_and_one_thread()
    {
        (await fx.Run("", "1")).Status.Should().Be(RunStatus.Ok);
        var zygotes = fx.Pool.HostProcessIds.SelectMany(ProcTree.SandboxHostsBelow).Select(ProcTree.Zygote).ToList();
        zygotes.Should().NotBeEmpty().And.OnlyContain(z => z != null);
        foreach (int zygote in zygotes.OfType<int>())
        {
            var maps = File.ReadAllLines($"/proc/{zygote}/maps").Select(l => l.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries)).ToList();
            maps.Should().NotContain(m => m.Length > 5 && m[5].EndsWith(".dll", StringComparison.Ordinal), "the runtime's assemblies are unmapped");
            maps.Should().NotContain(m => m.Length == 5 && m[1][2] == 'x', "no JIT code (anonymous executable memory) is left");
            maps.Should().NotContain(m => m[1][3] == 's' && m[1][1] == 'w', "no memory is shared writable with the host");
            // Single-threaded: what lets the zygote clone without the interpreter's after-fork repairs.
            File.ReadAllText($"/proc/{zygote}/status").Should().Contain("Seccomp:\t2").And.Contain("NoNewPrivs:\t1").And.Contain("Threads:\t1\n");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Python_tests_of_values_and_virtual_clock_pass()
    {
        var psi = new ProcessStartInfo("/usr/bin/python3.11", ["-I", Path.Combine(AppContext.BaseDirectory, "Python", "test_values_vclock.py")])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["JUDGE_SANDBOX_DIR"] = Path.Combine(AppContext.BaseDirectory, "sandbox");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(100));
        p.ExitCode.Should().Be(0, stderr);
        (await stdout).Should().StartWith("ok ");
    }
}
