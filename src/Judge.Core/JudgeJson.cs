using System.Text.Json;
using System.Text.Json.Serialization;

namespace Judge.Core;

/// <summary>The wire format: camelCase, enums as snake_case strings (wrong_answer, time_limit_exceeded), nulls omitted,
/// strict number handling.</summary>
public static class JudgeJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // Numbers are numbers: "timeMs": "500" is a wrong type (400), and the OpenAPI schema says integer only.
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}
