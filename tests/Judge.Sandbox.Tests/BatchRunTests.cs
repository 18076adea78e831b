namespace Judge.Sandbox.Tests;

/// <summary>
/// Batch mode on the real sandbox: one child runs a submission's tests, each on a fresh module with its own limits;
/// a test that ends abnormally, or leaves anything behind a fresh module would not undo, ends the child and the tests
/// after it run in a fresh one. Each attack sits between innocent tests that must come out as if they ran alone.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class BatchRunTests(PoolFixture fx)
{
    // Module state, a class attribute, and a token kept in `sys` (which a fresh module does not reset): which child ran
    // the test (pids repeat across hosts, each its own pid namespace).
    const string Code = """
        import os, sys
        token = sys.__dict__.setdefault('_child_token', os.urandom(8).hex())
        count = 0
        class Box:
            items = []
        def bump():
            global count
            count += 1
            Box.items.append(count)
            print('bump', count)
            return [count, len(Box.items), token]
        """;

    static BatchRequest Batch(params BatchTest[] tests) => new(Code, tests) { Limits = new ResourceLimits(500, 64) };

    static BatchTest Bump(string? setup = null) => new(setup, "bump()");

    static string Child(RunResult r) => r.Value!.AsArray()[2]!.GetValue<string>();

    static void Fresh(RunResult r, string because)
    {
        r.Status.Should().Be(RunStatus.Ok, $"{because}: {r.Error?.Type}: {r.Error?.Message} {r.Stderr}");
        r.Value!.AsArray()[0]!.GetValue<int>().Should().Be(1, because + ": module state is fresh");
        r.Value!.AsArray()[1]!.GetValue<int>().Should().Be(1, because + ": classes are fresh");
        r.Stdout.Should().Be("bump 1\n", because + ": stdout is the test's own");
    }

    [Fact(Timeout = 60_000)]
    public async Task Every_test_gets_a_fresh_module_and_its_own_output_in_one_child()
    {
        var results = await fx.Pool.RunBatchAsync(Batch(Bump(), Bump(), Bump(), Bump()));
        results.Should().HaveCount(4);
        for (int i = 0; i < 4; i++) Fresh(results[i], $"test {i}");
        results.Select(Child).Distinct().Should().ContainSingle("one child ran them all");
    }

    [Fact(Timeout = 60_000)]
    public async Task Each_test_has_its_own_cpu_limit_and_a_test_past_it_ends_only_itself()
    {
        // Each of the first three uses ~60% of the limit: together well past it, each within it.
        var busy = new BatchTest("import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n    pass", "bump()");
        var spin = new BatchTest(Expr: "[None for _ in iter(int, 1)]");
        var results = await fx.Pool.RunBatchAsync(Batch(busy, busy, busy, spin, Bump()));
        for (int i = 0; i < 3; i++) Fresh(results[i], $"busy test {i}");
        results[3].Status.Should().Be(RunStatus.TimeLimitExceeded);
        Fresh(results[4], "the test after a time limit");
        Child(results[4]).Should().NotBe(Child(results[0]), "it ran in a fresh child");
    }

    public static TheoryData<string, string, RunStatus> Enders => new()
    {
        { "os._exit", "import os\nos._exit(3)", RunStatus.RuntimeError },
        { "SystemExit escaping", "raise SystemExit(0)", RunStatus.RuntimeError },
        { "KeyboardInterrupt escaping", "raise KeyboardInterrupt", RunStatus.RuntimeError },
        { "a crash", "import ctypes\nctypes.string_at(0)", RunStatus.RuntimeError },
        { "memory past the limit", "x = bytearray(200 * 1024 * 1024)", RunStatus.MemoryLimitExceeded },
        { "output past the limit", "import sys\nsys.stdout.write('x' * 600_000)", RunStatus.OutputLimitExceeded },
        { "a thread left running", "import threading, time\nthreading.Thread(target=time.sleep, args=(5,), daemon=True).start()", RunStatus.Ok },
        { "builtins changed", "import builtins\nbuiltins.leftover = 42", RunStatus.Ok },
        { "a third of the memory limit kept", "import builtins\nkeep = [bytearray(22 * 1024 * 1024)]\nimport sys\nsys.modules['keep'] = keep", RunStatus.Ok },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Enders))]
    public async Task A_test_that_ends_or_taints_its_child_leaves_the_next_test_a_fresh_one(string name, string setup, RunStatus status)
    {
        var results = await fx.Pool.RunBatchAsync(Batch(Bump(), new BatchTest(setup, "bump()"), Bump(), Bump()));
        Fresh(results[0], "before " + name);
        results[1].Status.Should().Be(status, $"{name}: {results[1].Error?.Type}: {results[1].Error?.Message}");
        Fresh(results[2], "after " + name);
        Fresh(results[3], "two after " + name);
        Child(results[2]).Should().NotBe(Child(results[0]), name + " ended the child: the next test ran in a fresh one");
        Child(results[3]).Should().Be(Child(results[2]), "and the one after that shares the fresh child");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_forged_frame_for_a_later_test_does_not_become_its_result()
    {
        // The first test writes a frame into every descriptor it has (the later tests' result pipes among them); the
        // later tests then write their own, so a forged frame makes theirs malformed: never a value they did not return.
        const string forge = """
            import os, struct
            body = b'{"kind": "value", "value": [1, 1, 424242]}'
            for fd in range(5, 120):
                try:
                    os.write(fd, struct.pack('>I', len(body)) + body)
                except OSError:
                    pass
            """;
        var results = await fx.Pool.RunBatchAsync(Batch(new BatchTest(forge, "bump()"), Bump(), Bump()));
        foreach (var r in results)
        {
            if (r.Status == RunStatus.Ok) r.Value!.AsArray()[2]!.ToJsonString().Should().NotBe("424242", "a forged value never stands as a result");
            else r.Error!.Type.Should().Be("NoResult");
        }
    }
}
