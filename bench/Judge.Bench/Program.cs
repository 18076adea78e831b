using System.Globalization;
using Judge.Bench;

// dotnet run -c Release --project bench/Judge.Bench -- sandbox [runs]
// dotnet run -c Release --project bench/Judge.Bench -- api [operations] [workers]
// dotnet run -c Release --project bench/Judge.Bench -- bank [rounds]
// dotnet run -c Release --project bench/Judge.Bench -- load [--submissions N] [--concurrency C] [--faults] [--queue-capacity Q] [--workers W] [--timeout S] [--postgres]
string command = args.Length > 0 ? args[0] : "sandbox";
int Arg(int index, int fallback) => args.Length > index && int.TryParse(args[index], CultureInfo.InvariantCulture, out int v) ? v : fallback;
return command switch
{
    "sandbox" => await SandboxBench.RunAsync(Arg(1, 2000)),
    "api" => await ApiBench.RunAsync(Arg(1, 300), Arg(2, 2)),
    "bank" => await BankBench.RunAsync(Arg(1, 1)),
    "load" => await LoadTest.RunAsync(LoadTest.Options.Parse(args.Skip(1).ToArray())),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Judge.Bench sandbox [runs] | api [operations] [workers] | bank [rounds] | load [--submissions N] [--concurrency C] [--faults] [--queue-capacity Q] [--workers W] [--timeout S] [--postgres]");
    return 2;
}
