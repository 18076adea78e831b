using Judge.Api;
using Judge.Api.Auth;
using Judge.Api.Cli;
using Judge.Api.Compat.Judge0;
using Judge.Api.Compat.Piston;
using Judge.Api.Health;
using Judge.Api.Problems;
using Judge.Api.Runs;
using Judge.Api.Storage;
using Judge.Api.Submissions;
using Judge.Sandbox.Pool;

if (args is ["validate", var folder, .. var rest]) return await ValidateCli.RunAsync(folder, rest);

var builder = WebApplication.CreateBuilder(args);

builder.AddErrorHandling();
builder.AddRequestLogging();
builder.AddApiDocs();
builder.AddApiKeys();
builder.AddStorage();
// Hosted services start in this order: the sandbox pool, the problem catalog, then the grading workers.
builder.Services.AddSandbox();
builder.AddProblems();
builder.AddSubmissions();
builder.AddJudge0();
builder.AddPiston();

var app = builder.Build();

app.UseErrorHandling();
app.UseRequestLogging();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapApiDocs();
app.MapHealth();
app.MapProblems();
app.MapSubmissions();
app.MapRuns();
app.MapJudge0();
app.MapPiston();

await app.RunAsync();
return 0;

public partial class Program;
