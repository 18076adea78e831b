using System.Globalization;
using Judge.Storage;

namespace Judge.Api.Cli;

/// <summary><c>Judge.Api purge --older-than-days N</c>: deletes completed submissions and requests older than N days from the
/// configured store (the same settings as the service: Storage:Provider, Storage:DataDirectory, Storage:ConnectionString).</summary>
internal static class PurgeCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var days = -1;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--older-than-days" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var d))
            {
                days = d;
                i++;
            }
            else rest.Add(args[i]);
        }
        if (days < 0)
        {
            await Console.Error.WriteLineAsync("usage: Judge.Api purge --older-than-days N [--Storage:DataDirectory=...]");
            return 2;
        }
        var builder = Host.CreateApplicationBuilder([.. rest]);
        var options = new StorageOptions();
        builder.Configuration.GetSection("Storage").Bind(options);
        var store = StorageSetup.Create(options);
        await store.MigrateAsync();
        var purged = await store.PurgeAsync(DateTimeOffset.UtcNow.AddDays(-days));
        Console.WriteLine($"purged {purged.Submissions} submissions and {purged.Requests} requests completed more than {days} days ago");
        return 0;
    }
}
