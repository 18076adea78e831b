namespace Judge.Api.WebPage;

internal static class WebPageSetup
{
    public static IHostApplicationBuilder AddWebPage(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseStaticWebAssets();
        return builder;
    }

    public static WebApplication MapWebPage(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapFallbackToFile("/problems/{id}", "index.html");
        app.MapFallbackToFile("/", "index.html");
        return app;
    }
}
