using System.ComponentModel.DataAnnotations;

namespace Judge.Storage;

/// <summary>Configuration section "Storage".</summary>
public sealed class StorageOptions
{
    /// <summary>Folder of the SQLite database (judge.db); relative paths are resolved against the current directory. Created on first start.</summary>
    [Required] public string DataDirectory { get; set; } = "data";
}
