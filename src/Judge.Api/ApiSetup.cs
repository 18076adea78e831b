using Judge.Core;
using System.Text.Json;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Judge.Api;

internal static class ApiSetup
{
    /// <summary>RFC 7807 problem details for every error, including bodies that fail to bind (400 with the reason).</summary>
    public static IHostApplicationBuilder AddErrorHandling(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o => JudgeJson.Configure(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            if (ctx.Exception is BadHttpRequestException bad)
                ctx.ProblemDetails.Detail = bad.InnerException is JsonException json ? json.Message : bad.Message;
            ctx.ProblemDetails.Extensions["requestId"] = ctx.HttpContext.TraceIdentifier;
        });
        return builder;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            // A client's malformed body is not a server error worth a stack trace in the log.
            SuppressDiagnosticsCallback = ctx => ctx.Exception is BadHttpRequestException,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>Structured logs: one line per request (method, path, status, duration) inside a scope carrying the request id.</summary>
    public static IHostApplicationBuilder AddRequestLogging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.RequestMethod | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.RequestPath |
                              Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.ResponseStatusCode | Microsoft.AspNetCore.HttpLogging.HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        return builder;
    }

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            http.Response.Headers["X-Request-Id"] = http.TraceIdentifier;
            return next(http);
        });
        app.UseHttpLogging();
        return app;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json and an interactive reference at /scalar.</summary>
    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Judge API";
            document.Info.Description = "Grades Python snippets in a sandbox. Candidate endpoints take an optional X-Api-Key header; admin endpoints need an admin key.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Auth.ApiKeys.Header,
                Description = "An admin or client key; optional on candidate endpoints while Auth:AllowAnonymous is true.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] }];
            return Task.CompletedTask;
        }).AddSchemaTransformer((schema, context, _) =>
        {
            // Null properties are omitted on the wire (WhenWritingNull), so a nullable property is not required.
            if (schema is OpenApiSchema { Required: { } required })
                foreach (var property in context.JsonTypeInfo.Properties)
                    if (property.IsGetNullable) required.Remove(property.Name);
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        return app;
    }
}
