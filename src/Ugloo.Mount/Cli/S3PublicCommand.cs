using System.CommandLine;
using Ugloo.Engine.Catalog;
using Ugloo.Mount.S3;
using Ugloo.Mount.Volume;

namespace Ugloo.Mount.Cli;

/// <summary>
/// <c>ugloo s3 public [BUCKET [on|off]]</c>: lets unsigned S3 clients read a bucket (GET/HEAD of objects,
/// listings), or stops it; without a state, shows it; without a bucket, lists the public ones. Stored in the
/// catalog, so a running gateway applies it from the next request.
/// </summary>
internal static class S3PublicCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.Data();
        var bucket = new Argument<string?>("BUCKET") { Description = "The bucket (a top-level directory of the volume).", Arity = ArgumentArity.ZeroOrOne };
        var state = new Argument<string?>("STATE") { Description = "on: anyone may read it without signing; off: signed requests only.", Arity = ArgumentArity.ZeroOrOne };
        state.AcceptOnlyFromAmong("on", "off");
        var command = new Command("public", "Let anonymous S3 clients read a bucket (on), or not (off); writes always need an access key.") { bucket, state, data };
        command.SetAction(parse =>
        {
            string dataDirectory = CommonOptions.DataDirectory(parse, data);
            VolumeConfig config = VolumeAccess.LoadConfig(dataDirectory);
            using VolumeCatalog catalog = VolumeAccess.OpenCatalog(dataDirectory, config);
            string? name = parse.GetValue(bucket);
            if (name is null)
            {
                IReadOnlyList<string> all = catalog.ListPublicBuckets();
                Console.WriteLine(all.Count == 0 ? "No public buckets." : string.Join(Environment.NewLine, all));
                return 0;
            }

            string? wanted = parse.GetValue(state);
            if (wanted is null)
            {
                Console.WriteLine($"{name}: {(catalog.IsPublicBucket(name) ? "public (anyone may read it)" : "private (signed requests only)")}");
                return 0;
            }

            bool on = wanted == "on";
            if (on && (!ObjectPaths.IsBucketSegment(name) || catalog.GetDirectory(ObjectPaths.Bucket(name)) is null || catalog.GetLatest(ObjectPaths.Bucket(name)) is not null))
            {
                throw new UsageException($"No bucket '{name}' (buckets are the volume's top-level directories; 'aws s3 mb' or mkdir on the mount makes one).");
            }

            catalog.SetPublicBucket(name, on);
            Console.WriteLine(on
                ? $"Bucket {name} is public: anyone who can reach the gateway may list and read it without signing."
                : $"Bucket {name} is private: signed requests only.");
            return 0;
        });
        return command;
    }
}
