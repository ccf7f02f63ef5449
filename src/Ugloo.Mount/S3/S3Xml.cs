using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace Ugloo.Mount.S3;

/// <summary>S3's XML documents: responses written with an <see cref="XmlWriter"/>, request bodies parsed with LINQ to XML.</summary>
internal static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    private static readonly XmlWriterSettings s_settings = new() { Encoding = new UTF8Encoding(false), Async = true };

    /// <summary>Writes a document whose root element is <paramref name="root"/> in S3's namespace.</summary>
    public static async Task WriteAsync(HttpResponse response, int status, string root, Action<XmlWriter> body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, s_settings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(root, root == "Error" ? "" : Namespace);
            body(writer);
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
    }

    public static void Element(this XmlWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteElementString(name, value);
        }
    }

    public static void Element(this XmlWriter writer, string name, long value) => writer.WriteElementString(name, value.ToString(CultureInfo.InvariantCulture));

    public static void Element(this XmlWriter writer, string name, bool value) => writer.WriteElementString(name, value ? "true" : "false");

    public static void Element(this XmlWriter writer, string name, DateTimeOffset value) => writer.WriteElementString(name, Timestamp(value));

    /// <summary>ISO 8601 with milliseconds in UTC, as S3 writes LastModified in XML.</summary>
    public static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a request document; any XML error is S3's MalformedXML.</summary>
    public static XElement Parse(byte[] body)
    {
        try
        {
            using var stream = new MemoryStream(body);
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
            using var reader = XmlReader.Create(stream, settings);
            return XElement.Load(reader);
        }
        catch (XmlException)
        {
            throw S3Errors.MalformedXml();
        }
    }

    /// <summary>Child elements named <paramref name="name"/> whatever their namespace (clients differ in sending S3's).</summary>
    public static IEnumerable<XElement> Children(this XElement element, string name) => element.Elements().Where(e => e.Name.LocalName == name);

    public static string? ChildValue(this XElement element, string name) => element.Children(name).FirstOrDefault()?.Value;
}
