using System.ComponentModel.DataAnnotations;

namespace Judge.Worker;

public enum NodeRole { All, Api, Worker }

/// <summary>Configuration section "Judge": what this process does in a deployment.</summary>
public sealed class NodeOptions
{
    /// <summary>all (one process does everything, the default), api (HTTP only: queues work, never touches a sandbox) or
    /// worker (claims and grades queued work; serves only /healthz and /metrics).</summary>
    public NodeRole Role { get; set; } = NodeRole.All;

    /// <summary>This node's name in metrics, logs and leases; empty means host name and process id.</summary>
    [MaxLength(100)] public string NodeId { get; set; } = "";

    public string EffectiveNodeId => NodeId.Length > 0 ? NodeId : $"{Environment.MachineName}-{Environment.ProcessId}";

    public bool ServesApi => Role is NodeRole.All or NodeRole.Api;
    public bool RunsWorker => Role is NodeRole.All or NodeRole.Worker;
}
