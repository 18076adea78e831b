namespace Judge.Sandbox.Host;

internal static class HostProgram
{
    public static int Main(string[] args) => 2;
}
