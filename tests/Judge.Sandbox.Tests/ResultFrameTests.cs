using System.Buffers.Binary;
using System.Text;
using Judge.Sandbox.Pool;

namespace Judge.Sandbox.Tests;

/// <summary>
/// The result frame is whatever bytes the child wrote. The classifier (no sandbox needed) and the real sandbox: an
/// error stays an error however large its description, cut to fixed sizes; a cut, doubled or unreadable frame is a
/// runtime error; only a well-formed value frame is ok.
/// </summary>
public sealed class ResultFrameClassifierTests
{
    static RunResult Classify(byte[]? pipe) => RunClassifier.Classify(new RunRequest("code"),
        new RunClassifier.Measured(Status: 0, TimedOut: false, CpuUs: 1000, WallUs: 2000, PeakRssKb: 0, BaseRssKb: 0,
            OutputOverflow: false, "", false, "", false, pipe));

    static byte[] Framed(string json) => Framed(Encoding.UTF8.GetBytes(json));

    static byte[] Framed(byte[] body)
    {
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    [Fact]
    public void A_well_formed_value_frame_is_ok()
    {
        var r = Classify(Framed("""{"kind":"value","value":[1,2]}"""));
        r.Status.Should().Be(RunStatus.Ok);
        r.Value!.ToJsonString().Should().Be("[1,2]");
    }

    [Fact]
    public void An_error_frame_with_huge_fields_is_a_runtime_error_with_every_field_cut()
    {
        var huge = new string('E', 300_000);
        var bases = string.Join(",", Enumerable.Repeat($"\"{new string('B', 3_000)}\"", 200));
        var r = Classify(Framed($$$"""{"kind":"error","error":{"type":"{{{huge}}}","message":"{{{huge}}}","line":3,"traceback":"{{{huge}}}","bases":[{{{bases}}}]}}"""));

        r.Status.Should().Be(RunStatus.RuntimeError);
        r.Error!.Type.Should().HaveLength(RunClassifier.MaxTypeName).And.StartWith("EEE");
        r.Error.Message.Should().HaveLength(RunClassifier.MaxMessage);
        r.Error.Traceback.Should().HaveLength(RunClassifier.MaxTraceback);
        r.Error.Bases.Should().HaveCount(RunClassifier.MaxBases).And.OnlyContain(b => b.Length == RunClassifier.MaxTypeName);
        r.Error.Line.Should().Be(3);
    }

    [Fact]
    public void A_cut_surrogate_pair_is_not_left_half()
    {
        var type = new string('x', RunClassifier.MaxTypeName - 1) + "\U0001F600";
        var r = Classify(Framed($$$"""{"kind":"error","error":{"type":"{{{type}}}","message":""}}"""));
        r.Error!.Type.Should().Be(new string('x', RunClassifier.MaxTypeName - 1));
    }

    public static TheoryData<string, byte[], string> BrokenFrames() => new()
    {
        { "a header longer than what arrived", Framed("""{"kind":"value","value":1}""")[..20], "did not fit" },
        { "two frames", [.. Framed("""{"kind":"value","value":42}"""), .. Framed("""{"kind":"error","error":{"type":"E","message":""}}""")], "more than one" },
        { "three bytes", [0, 0, 1], "truncated" },
        { "not JSON", Framed("kind=value"), "malformed" },
        { "duplicate keys", Framed("""{"kind":"error","kind":"value","value":1}"""), "malformed" },
        { "an error without a type", Framed("""{"kind":"error","error":{"message":"m"}}"""), "malformed" },
        { "an error whose type is a number", Framed("""{"kind":"error","error":{"type":5,"message":"m"}}"""), "malformed" },
        { "invalid UTF-8 in the type", Framed([.. "{\"kind\":\"error\",\"error\":{\"type\":\""u8, 0xff, 0xfe, .. "\"}}"u8]), "malformed" },
        { "an unknown kind", Framed("""{"kind":"accepted"}"""), "malformed" },
        { "nested past the parser's depth", Framed("""{"kind":"value","value":""" + new string('[', 600) + new string(']', 600) + "}"), "malformed" },
    };

    [Theory]
    [MemberData(nameof(BrokenFrames))]
    public void A_broken_frame_is_a_runtime_error_never_ok(string name, byte[] pipe, string reason)
    {
        var r = Classify(pipe);
        r.Status.Should().Be(RunStatus.RuntimeError, name);
        r.Error!.Type.Should().Be("NoResult", name);
        r.Error.Message.Should().Contain(reason, name);
    }

    [Fact]
    public void No_frame_at_all_is_a_runtime_error()
    {
        var r = Classify([]);
        r.Status.Should().Be(RunStatus.RuntimeError);
        r.Error!.Message.Should().Contain("without producing a result");
    }
}

/// <summary>The same through the real sandbox: the harness's own frames, and frames a child writes itself. Fd 10 is the
/// first test's result pipe (the harness's TEST_FDS); test i's is 10 + 3i.</summary>
[Collection(PoolCollection.Name)]
public sealed class ResultFrameSandboxTests(PoolFixture fx)
{
    [Fact(Timeout = 60_000)]
    public async Task An_exception_class_named_with_two_million_characters_is_a_runtime_error_with_its_name_cut()
    {
        var r = await fx.Run("def f():\n    raise type('E' * 2_000_000, (ValueError,), {})('boom')\n", "f()");

        r.Status.Should().Be(RunStatus.RuntimeError, r.Stderr);
        r.Error!.Type.Should().HaveLength(200).And.StartWith("EEEE").And.EndWith("...");
        r.Error.Message.Should().Be("boom");
        r.Error.Bases.Should().HaveCount(4).And.EndWith(["ValueError", "Exception", "BaseException"]);
        r.Error.Bases[0].Should().HaveLength(200);
        r.Error.Traceback.Should().Contain("line 2, in f");
        r.Error.Traceback!.Length.Should().BeLessThan(2_000);
        r.Error.Line.Should().Be(2);

        // And the innocent neighbour of that run is undisturbed.
        (await fx.Run("", "6 * 7")).Value!.ToJsonString().Should().Be("42");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_deep_recursion_through_a_huge_source_line_keeps_a_short_traceback()
    {
        var r = await fx.Run("def f(n):\n    return f(n + 1) if '" + new string('x', 60_000) + "' else 0\n", "f(0)");

        r.Status.Should().Be(RunStatus.RuntimeError);
        r.Error!.Type.Should().Be("RecursionError");
        r.Error.Traceback!.Length.Should().BeLessThanOrEqualTo(16_000);
        r.Error.Traceback.Should().Contain("frames not shown").And.Contain("RecursionError: maximum recursion depth exceeded");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_error_frame_written_by_the_child_itself_is_cut_and_stays_an_error()
    {
        // A frame the harness would never write (a 600 KB type name, 100 bases), written raw, then a clean exit.
        const string code = """
            import json, os, struct
            body = json.dumps({"kind": "error", "error": {"type": "E" * 600_000, "message": "m" * 50_000,
                               "traceback": "t" * 50_000, "bases": ["B" * 1_000] * 100}}).encode()
            os.write(10, struct.pack('>I', len(body)) + body)
            os._exit(0)
            """;
        var r = await fx.Run(code, "1");

        r.Status.Should().Be(RunStatus.RuntimeError);
        r.Error!.Type.Should().HaveLength(RunClassifier.MaxTypeName);
        r.Error.Message.Should().HaveLength(RunClassifier.MaxMessage);
        r.Error.Bases.Should().HaveCount(RunClassifier.MaxBases).And.OnlyContain(b => b.Length == RunClassifier.MaxTypeName);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("a frame longer than the result pipe", "body = b'{\"kind\": \"error\", \"error\": {\"type\": \"' + b'E' * (2 << 20) + b'\"}}'\nframe = struct.pack('>I', len(body)) + body\ntry:\n    os.write(10, frame)\nexcept BlockingIOError:\n    pass\n", "did not fit")]
    [InlineData("a malformed error frame", "body = b'{\"kind\": \"error\", \"error\": {\"type\": 42}}'\nos.write(10, struct.pack('>I', len(body)) + body)\n", "malformed")]
    [InlineData("duplicate keys claiming a value", "body = b'{\"kind\": \"error\", \"kind\": \"value\", \"value\": 1}'\nos.write(10, struct.pack('>I', len(body)) + body)\n", "malformed")]
    [InlineData("a value frame with a header that lies", "body = b'{\"kind\": \"value\", \"value\": 1}'\nos.write(10, struct.pack('>I', len(body) + 10) + body)\n", "did not fit")]
    public async Task A_raw_frame_that_breaks_the_rules_is_a_runtime_error(string name, string write, string reason)
    {
        var r = await fx.Run("import os, struct\n" + write + "os._exit(0)\n", "1");

        r.Status.Should().Be(RunStatus.RuntimeError, name);
        r.Error!.Type.Should().Be("NoResult", name);
        r.Error.Message.Should().Contain(reason, name);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_child_cannot_shrink_its_result_pipe_and_its_error_keeps_its_kind()
    {
        // F_SETPIPE_SZ is refused by the seccomp allow-list. Were it not, the harness would cut an error's description
        // further to fit (_shrunk), never turn it into a value.
        const string code = """
            import fcntl
            def f():
                try:
                    fcntl.fcntl(10, 1031, 4096)
                except PermissionError:
                    raise KeyError('k' * 3000)
                return 'shrunk'
            """;
        var r = await fx.Run(code, "f()");

        r.Status.Should().Be(RunStatus.RuntimeError, r.Stderr);
        r.Error!.Type.Should().Be("KeyError");
        r.Error.Message.Should().StartWith("'kkk").And.HaveLength(3002);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_frame_forged_into_a_later_tests_pipe_makes_that_test_no_result_and_leaves_the_others_alone()
    {
        // Test 0 writes a value frame into test 1's result pipe (fd 13) and returns; test 1's pipe then holds two frames.
        const string code = """
            import os, struct
            def forge():
                body = b'{"kind": "value", "value": 42}'
                os.write(13, struct.pack('>I', len(body)) + body)
                return 1
            """;
        var results = await fx.Pool.RunBatchAsync(new BatchRequest(code,
            [new BatchTest(null, "forge()", null), new BatchTest(null, "41", null), new BatchTest(null, "6 * 7", null)]));

        results.Should().HaveCount(3);
        results[0].Status.Should().Be(RunStatus.Ok, results[0].Stderr);
        results[0].Value!.ToJsonString().Should().Be("1");
        results[1].Status.Should().Be(RunStatus.RuntimeError, "a forged frame never counts, nor the real one beside it");
        results[1].Error!.Type.Should().Be("NoResult");
        results[1].Error!.Message.Should().Contain("more than one result");
        results[2].Status.Should().Be(RunStatus.Ok, results[2].Stderr);
        results[2].Value!.ToJsonString().Should().Be("42");
    }
}
