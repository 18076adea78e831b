using Microsoft.Extensions.DependencyInjection;

namespace Judge.Sandbox.Pool;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>Registers <see cref="SandboxPool"/> as the <see cref="ISandbox"/> and as a hosted service.</summary>
    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.AddOptions<SandboxOptions>().BindConfiguration("Sandbox").ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SandboxPool>();
        services.AddSingleton<ISandbox>(sp => sp.GetRequiredService<SandboxPool>());
        services.AddSingleton<ISandboxStatus>(sp => sp.GetRequiredService<SandboxPool>());
        services.AddHostedService(sp => sp.GetRequiredService<SandboxPool>());
        return services;
    }
}
