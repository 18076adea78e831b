namespace Judge.Sandbox.Tests;

[Collection(PoolCollection.Name)]
public sealed class BasicRunTests(PoolFixture fx)
{
    [Fact(Timeout = 60_000)]
    public async Task Expression_value_comes_back()
    {
        var r = await fx.Run("def add(a, b):\n    return a + b\n", "add(2, 3)");
        r.Status.Should().Be(RunStatus.Ok, r.Error?.Message + r.Stderr);
        r.Value!.ToJsonString().Should().Be("5");
    }
}
