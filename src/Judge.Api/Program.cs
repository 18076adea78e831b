using Judge.Api;
using Judge.Api.Auth;
using Judge.Api.Cli;
using Judge.Api.Compat.Judge0;
using Judge.Api.Compat.Piston;
using Judge.Api.Health;
using Judge.Api.Problems;
using Judge.Api.Runs;
using Judge.Api.Retention;
using Judge.Api.Submissions;
using Judge.Api.Webhooks;
using Judge.Api.WebPage;
using Judge.Storage;
using Judge.Worker;

if (args is ["validate", var folder, .. var rest]) return await ValidateCli.RunAsync(folder, rest);
if (args is ["purge", .. var purgeArgs]) return await PurgeCli.RunAsync(purgeArgs);

var builder = WebApplication.CreateBuilder(args);
var role = builder.Configuration.GetValue("Judge:Role", NodeRole.All);

builder.AddErrorHandling();
builder.AddRequestLogging();
builder.AddNode();
// Hosted services start in registration order: storage (migrated), the problem catalog, then the worker (pool and loop).
builder.AddStorage();
builder.AddProblemCatalog();
if (role is NodeRole.All or NodeRole.Worker) builder.AddWorker();
if (role is NodeRole.All or NodeRole.Api)
{
    builder.AddApiDocs();
    builder.AddApiKeys();
    builder.AddSubmissions();
    builder.AddRetention();
    builder.AddWebhooks();
    builder.AddJudge0();
    builder.AddPiston();
    builder.AddWebPage();
}

var app = builder.Build();

app.UseErrorHandling();
app.UseRequestLogging();
app.MapHealth();
if (role is NodeRole.All or NodeRole.Api)
{
    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.MapApiDocs();
    app.MapProblems();
    app.MapSubmissions();
    app.MapRuns();
    app.MapJudge0();
    app.MapPiston();
    app.MapWebPage();
}

await app.RunAsync();
return 0;

public partial class Program;
