using System.Security.Cryptography;
using System.Text;
using Imap4d.Mime;
using Imap4d.Protocol;

namespace Imap4d.Tests.Mime;

/// <summary>Fixture files, the LF/CRLF forms of a message, and the wire forms our writers produce.</summary>
internal static class MimeFixtures
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "messages");

    /// <summary>The source tree copy of the fixtures (golden files are written there when updating).</summary>
    public static string SourceDirectory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "imap4d.sln")))
            {
                dir = dir.Parent;
            }

            return dir is null ? Directory : Path.Combine(dir.FullName, "Imap4d.Tests", "Fixtures", "messages");
        }
    }

    public static bool Updating => Environment.GetEnvironmentVariable("IMAP4D_UPDATE_GOLDEN") == "1";

    public static IEnumerable<string> Names() =>
        System.IO.Directory.GetFiles(Directory, "*.eml")
            .Select(p => Path.GetFileNameWithoutExtension(p)!)
            .Order(StringComparer.Ordinal);

    public static byte[] Load(string name, bool crlf)
    {
        byte[] lf = File.ReadAllBytes(Path.Combine(Directory, name + ".eml"));
        return crlf ? ToCrlf(lf) : lf;
    }

    public static byte[] ToCrlf(byte[] data)
    {
        var ms = new MemoryStream(data.Length + data.Length / 16);
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
            {
                ms.WriteByte((byte)'\r');
            }

            ms.WriteByte(data[i]);
        }

        return ms.ToArray();
    }

    public static byte[] Wire(Action<ResponseWriter> write)
    {
        using var ms = new MemoryStream();
        var w = new ResponseWriter(ms);
        write(w);
        w.FlushAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return ms.ToArray();
    }

    public static byte[] Body(MimePart root, bool extensions) =>
        Wire(w => BodyStructureWriter.Write(w, BodyStructureBuilder.Build(root), extensions));

    public static byte[] Envelope(MimePart root) => Wire(w => EnvelopeWriter.Write(w, EnvelopeBuilder.Build(root.Header)));

    /// <summary>Every section worth checking: whole/HEADER/TEXT, and per part number the body, MIME, and for messages HEADER/TEXT/HEADER.FIELDS.</summary>
    public static IEnumerable<string> Sections(MimePart root)
    {
        yield return "";
        yield return "HEADER";
        yield return "TEXT";
        yield return "HEADER.FIELDS (From Subject)";
        yield return "HEADER.FIELDS.NOT (FROM Content-Type)";
        var paths = new List<string>();
        Walk(root, true, "", 0, paths);
        foreach (string p in paths)
        {
            yield return p;
            yield return p + ".MIME";
            yield return p + ".HEADER";
            yield return p + ".TEXT";
            yield return p + ".HEADER.FIELDS (SUBJECT)";
        }

        yield return "99";
    }

    private static void Walk(MimePart node, bool asMessage, string prefix, int depth, List<string> paths)
    {
        if (depth > 8 || paths.Count > 60)
        {
            return;
        }

        IReadOnlyList<(MimePart Part, bool AsMessage)> kids;
        if (node.IsMultipart)
        {
            kids = node.Children.Select(c => (c, false)).ToList();
        }
        else if (!asMessage && node.Message is not null)
        {
            Walk(node.Message, true, prefix, depth, paths);
            return;
        }
        else if (asMessage)
        {
            kids = [(node, false)];
        }
        else
        {
            return;
        }

        for (int i = 0; i < kids.Count; i++)
        {
            string path = prefix.Length == 0 ? (i + 1).ToString() : prefix + "." + (i + 1);
            paths.Add(path);
            Walk(kids[i].Part, kids[i].AsMessage, path, depth + 1, paths);
        }
    }

    public static string SectionsReport(MimePart root, byte[] message)
    {
        var sb = new StringBuilder();
        foreach (string text in Sections(root))
        {
            Assert.That(SectionSpec.TryParse(text, out var spec), Is.True, text);
            var r = SectionLocator.Locate(root, spec);
            sb.Append('[').Append(text).Append("]\t");
            if (r is null)
            {
                sb.Append("NIL\n");
                continue;
            }

            byte[] bytes = r.Content ?? message.AsSpan((int)r.Offset, (int)r.Length).ToArray();
            sb.Append(r.IsComputed ? "bytes" : r.Offset.ToString()).Append(',').Append(r.Length)
                .Append('\t').Append(Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Compares with a golden file, or writes it when IMAP4D_UPDATE_GOLDEN=1.</summary>
    public static void AssertGolden(string fileName, byte[] actual)
    {
        string path = Path.Combine(Directory, fileName);
        if (Updating)
        {
            File.WriteAllBytes(Path.Combine(SourceDirectory, fileName), actual);
            File.WriteAllBytes(path, actual);
            return;
        }

        Assert.That(File.Exists(path), Is.True, $"golden file {fileName} missing (run with IMAP4D_UPDATE_GOLDEN=1)");
        byte[] expected = File.ReadAllBytes(path);
        if (!expected.AsSpan().SequenceEqual(actual))
        {
            Assert.That(Encoding.Latin1.GetString(actual), Is.EqualTo(Encoding.Latin1.GetString(expected)), fileName);
        }
    }
}
