namespace Ugloo.Mount.S3;

/// <summary>
/// A request the gateway refuses, with S3's error code and HTTP status (S3 API Reference, "Error
/// responses"). Thrown before anything is recorded, so a failed request changes nothing.
/// </summary>
internal sealed class S3Exception : Exception
{
    public S3Exception(string code, int status, string message)
        : base(message)
    {
        Code = code;
        Status = status;
    }

    public S3Exception()
        : this("InternalError", 500, "We encountered an internal error. Please try again.")
    {
    }

    public S3Exception(string message)
        : this("InvalidRequest", 400, message)
    {
    }

    public S3Exception(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "InternalError";
        Status = 500;
    }

    public string Code { get; }

    public int Status { get; }

    /// <summary>Extra elements of the Error document (e.g. the BucketName), in order.</summary>
    public List<KeyValuePair<string, string>> Details { get; } = [];

    public S3Exception With(string name, string value)
    {
        Details.Add(new(name, value));
        return this;
    }
}

/// <summary>The error codes the gateway answers with.</summary>
internal static class S3Errors
{
    public static S3Exception NoSuchBucket(string bucket) => new S3Exception("NoSuchBucket", 404, "The specified bucket does not exist").With("BucketName", bucket);

    public static S3Exception NoSuchKey(string key) => new S3Exception("NoSuchKey", 404, "The specified key does not exist.").With("Key", key);

    public static S3Exception NoSuchVersion(string key, string version) =>
        new S3Exception("NoSuchVersion", 404, "The specified version does not exist.").With("Key", key).With("VersionId", version);

    public static S3Exception NoSuchUpload(string uploadId) =>
        new S3Exception("NoSuchUpload", 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.").With("UploadId", uploadId);

    public static S3Exception BucketNotEmpty(string bucket) => new S3Exception("BucketNotEmpty", 409, "The bucket you tried to delete is not empty").With("BucketName", bucket);

    public static S3Exception BucketAlreadyOwnedByYou(string bucket) =>
        new S3Exception("BucketAlreadyOwnedByYou", 409, "Your previous request to create the named bucket succeeded and you already own it.").With("BucketName", bucket);

    public static S3Exception InvalidBucketName(string bucket) => new S3Exception("InvalidBucketName", 400, "The specified bucket is not valid.").With("BucketName", bucket);

    public static S3Exception InvalidRange(long size) => new S3Exception("InvalidRange", 416, "The requested range is not satisfiable").With("ActualObjectSize", size.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static S3Exception PreconditionFailed(string condition) => new S3Exception("PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold").With("Condition", condition);

    public static S3Exception AccessDenied(string message) => new("AccessDenied", 403, message);

    public static S3Exception InvalidAccessKeyId(string key) =>
        new S3Exception("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.").With("AWSAccessKeyId", key);

    public static S3Exception SignatureDoesNotMatch() =>
        new("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.");

    public static S3Exception RequestTimeTooSkewed() => new("RequestTimeTooSkewed", 403, "The difference between the request time and the server's time is too large.");

    public static S3Exception AuthorizationMalformed(string message) => new("AuthorizationHeaderMalformed", 400, message);

    public static S3Exception InvalidArgument(string message) => new("InvalidArgument", 400, message);

    public static S3Exception InvalidRequest(string message) => new("InvalidRequest", 400, message);

    public static S3Exception InvalidDigest() => new("InvalidDigest", 400, "The Content-MD5 you specified was invalid.");

    public static S3Exception BadDigest() => new("BadDigest", 400, "The Content-MD5 you specified did not match what we received.");

    public static S3Exception ChecksumMismatch(string algorithm) =>
        new("BadDigest", 400, $"The {algorithm} you specified did not match the calculated checksum.");

    public static S3Exception ContentSha256Mismatch() => new("XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");

    public static S3Exception IncompleteBody() => new("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header.");

    public static S3Exception MalformedXml() => new("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema.");

    public static S3Exception EntityTooSmall() => new("EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size.");

    public static S3Exception EntityTooLarge() => new("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size.");

    public static S3Exception InvalidPart() =>
        new("InvalidPart", 400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.");

    public static S3Exception InvalidPartOrder() => new("InvalidPartOrder", 400, "The list of parts was not in ascending order. The parts list must be specified in order by part number.");

    public static S3Exception NotImplemented(string what) => new("NotImplemented", 501, $"{what} is not implemented by the Ugloo gateway.");

    public static S3Exception MethodNotAllowed() => new("MethodNotAllowed", 405, "The specified method is not allowed against this resource.");

    public static S3Exception KeyTooLong(string message) => new("KeyTooLongError", 400, message);

    public static S3Exception ServiceUnavailable(string message) => new("ServiceUnavailable", 503, message);
}
