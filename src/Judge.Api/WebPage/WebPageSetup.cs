namespace Judge.Api.WebPage;

/// <summary>
/// The candidate page: static files from wwwroot (built from web/ and committed), served at / and, for direct links,
/// at /problems/{id}. The page talks to Judge only through the public /v1 API.
/// </summary>
internal static class WebPageSetup
{
    public static WebApplicationBuilder AddWebPage(this WebApplicationBuilder builder)
    {
        // Static web assets resolve to the project's wwwroot only in Development by default; scripts/run.sh and the
        // tests start the built Judge.Api.dll in Production, so read the build's manifest in every environment.
        // A published app (Docker) has wwwroot beside it and no such manifest: this is then a no-op.
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapWebPage(this WebApplication app)
    {
        // ETags, compression and caching from the build manifest; app.js, app.css and index.html.
        app.MapStaticAssets();
        app.MapFallbackToFile("/", "index.html");
        // Only this path pattern falls back to the page: unknown /v1/... paths keep their 404 problem details.
        app.MapFallbackToFile("/problems/{id}", "index.html");
        return app;
    }
}
