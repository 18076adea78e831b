using Judge.Bench;

// dotnet run -c Release --project bench/Judge.Bench -- sandbox [runs]
string command = args.Length > 0 ? args[0] : "sandbox";
int n = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
return command switch
{
    "sandbox" => await SandboxBench.RunAsync(n),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Judge.Bench sandbox [runs]");
    return 2;
}
