using Microsoft.Extensions.Logging;

namespace Ugloo.Node;

/// <summary>
/// Source-generated log messages of ugloo-node, event ids 8000-8999: 8000 start and stop, 8100 peer server
/// and sessions, 8200 membership. Node ids and peer ids are logged as hex; never keys or proofs.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 8000, Level = LogLevel.Information, Message = "ugloo-node {Version}: node {NodeId} listening on {Listen} (advertised as {Advertise}), site {Site}, data {DataDirectories}, capacity {Capacity}, holding {FragmentCount} fragments ({UsedBytes}), cluster key {ClusterKey}")]
    public static partial void Started(ILogger logger, string version, string nodeId, string listen, string advertise, string site, string dataDirectories, string capacity, int fragmentCount, string usedBytes, string clusterKey);

    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "No cluster key (--cluster-key): this node refuses every store and does not join a cluster; it only serves fragment reads")]
    public static partial void NoClusterKey(ILogger logger);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Information, Message = "Stopping: closed the listener, closing {Connections} connections")]
    public static partial void Stopping(ILogger logger, int connections);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Critical, Message = "{Service} failed; the node stops")]
    public static partial void ServiceFailed(ILogger logger, string service, Exception exception);

    [LoggerMessage(EventId = 8100, Level = LogLevel.Debug, Message = "Accepted a connection from {Remote}")]
    public static partial void Accepted(ILogger logger, string remote);

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Refused a connection from {Remote}: {Limit} connections already open (--max-connections)")]
    public static partial void ConnectionLimitReached(ILogger logger, string remote, int limit);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Information, Message = "Connection from {Remote} closed: the opening sequence took longer than {Timeout}")]
    public static partial void HandshakeTimedOut(ILogger logger, string remote, TimeSpan timeout);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "Connection from {Remote} closed: protocol violation: {Reason}")]
    public static partial void ProtocolViolation(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 8104, Level = LogLevel.Debug, Message = "Connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 8105, Level = LogLevel.Error, Message = "Connection from {Remote} closed after an unexpected error; the node keeps serving")]
    public static partial void SessionFailed(ILogger logger, string remote, Exception exception);

    [LoggerMessage(EventId = 8106, Level = LogLevel.Debug, Message = "Stored fragment {FragmentId} ({Length} bytes) from {Remote}: {Outcome}")]
    public static partial void FragmentStored(ILogger logger, Engine.Objects.FragmentId fragmentId, long length, string remote, string outcome);

    [LoggerMessage(EventId = 8107, Level = LogLevel.Information, Message = "Refused fragment {FragmentId} from {Remote}: {Code}: {Reason}")]
    public static partial void StoreRefused(ILogger logger, Engine.Objects.FragmentId fragmentId, string remote, string code, string reason);

    [LoggerMessage(EventId = 8108, Level = LogLevel.Warning, Message = "Fetch of fragment {FragmentId} by {Remote}: {Reason}")]
    public static partial void FetchFailed(ILogger logger, Engine.Objects.FragmentId fragmentId, string remote, string reason);

    [LoggerMessage(EventId = 8109, Level = LogLevel.Debug, Message = "Aborted {Count} unfinished uploads of {Remote}")]
    public static partial void UploadsAborted(ILogger logger, int count, string remote);

    [LoggerMessage(EventId = 8110, Level = LogLevel.Debug, Message = "Ignored ugloo_pex from {Remote}: the connection is not authenticated")]
    public static partial void UnauthenticatedPex(ILogger logger, string remote);

    [LoggerMessage(EventId = 8200, Level = LogLevel.Information, Message = "Member {NodeId} at {Address} joined ({State})")]
    public static partial void MemberJoined(ILogger logger, string nodeId, string address, string state);

    [LoggerMessage(EventId = 8201, Level = LogLevel.Warning, Message = "Member {NodeId} at {Address} is down: no answer for longer than {Grace}")]
    public static partial void MemberDown(ILogger logger, string nodeId, string address, string grace);

    [LoggerMessage(EventId = 8202, Level = LogLevel.Information, Message = "Member {NodeId} at {Address} is up again")]
    public static partial void MemberUp(ILogger logger, string nodeId, string address);

    [LoggerMessage(EventId = 8203, Level = LogLevel.Information, Message = "Member {NodeId} now at {Address}, state {State}")]
    public static partial void MemberUpdated(ILogger logger, string nodeId, string address, string state);

    [LoggerMessage(EventId = 8204, Level = LogLevel.Information, Message = "Joined the cluster through {Seed}: {Members} other members known")]
    public static partial void Joined(ILogger logger, string seed, int members);

    [LoggerMessage(EventId = 8205, Level = LogLevel.Warning, Message = "No seed answered ({Seeds}); retrying in {Delay}. Last error: {Reason}")]
    public static partial void JoinRetry(ILogger logger, string seeds, string delay, string reason);

    [LoggerMessage(EventId = 8206, Level = LogLevel.Debug, Message = "Exchange with {Address} failed: {Reason}")]
    public static partial void ExchangeFailed(ILogger logger, string address, string reason);
}
