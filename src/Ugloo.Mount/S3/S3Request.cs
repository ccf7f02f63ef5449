using Microsoft.AspNetCore.Http;
using Ugloo.Mount.S3.Auth;

namespace Ugloo.Mount.S3;

/// <summary>One authenticated request, routed: its bucket and key (either may be empty), query and headers.</summary>
internal sealed class S3Request
{
    public required HttpContext Http { get; init; }

    public required SignedRequest Signed { get; init; }

    public required RequestIdentity Identity { get; init; }

    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public string Method => Signed.Method;

    public HttpResponse Response => Http.Response;

    public CancellationToken Aborted => Http.RequestAborted;

    public string? Header(string name) => Signed.Header(name);

    public string? Query(string name) => Signed.QueryValue(name);

    public bool Has(string name) => Signed.HasQuery(name);
}
