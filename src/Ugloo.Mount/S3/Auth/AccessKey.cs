namespace Ugloo.Mount.S3.Auth;

/// <summary>One S3 credential: a name for people, the access key id clients send, and the secret they sign with.</summary>
internal sealed record AccessKey(string Name, string AccessKeyId, string SecretKey, DateTimeOffset Created);
