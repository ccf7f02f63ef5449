// S3 defines ETags and Content-MD5 with MD5: the tests compute it to check the gateway, not to protect anything.
[assembly: System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do not use broken cryptographic algorithms", Justification = "S3 ETags and Content-MD5 are MD5 by definition.")]
