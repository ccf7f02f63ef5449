namespace Ugloo.Engine.Catalog;

/// <summary>
/// What the S3 gateway keeps beside a version and the mount does not need: the ETag S3 clients compare
/// (MD5 hex of the body, or md5-of-md5s with "-N" for a multipart upload), the content type, the other
/// standard headers a PUT may set (Content-Encoding, Cache-Control, …) and the user metadata
/// (x-amz-meta-*), both as header name/value pairs.
/// </summary>
public sealed record ObjectMetadata(
    string ETag,
    string? ContentType,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, string>> UserMetadata);
