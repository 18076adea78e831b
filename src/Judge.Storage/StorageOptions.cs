using System.ComponentModel.DataAnnotations;

namespace Judge.Storage;

public enum StorageProvider { Sqlite, Postgres }

/// <summary>Configuration section "Storage".</summary>
public sealed class StorageOptions
{
    /// <summary>sqlite (one machine, the default) or postgres (a cluster of api and worker nodes).</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>SQLite: folder of judge.db; relative paths are resolved against the current directory. Created on first start.</summary>
    [Required] public string DataDirectory { get; set; } = "data";

    /// <summary>PostgreSQL: an Npgsql connection string (Host=...;Database=...;Username=...;Password=...).</summary>
    public string ConnectionString { get; set; } = "";
}
