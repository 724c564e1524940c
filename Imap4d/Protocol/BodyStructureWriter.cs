using Imap4d.Mime;

namespace Imap4d.Protocol;

/// <summary>
/// Writes a <see cref="BodyStructure"/> in RFC 3501 §9 "body" syntax: without extension data
/// for FETCH BODY, with it for FETCH BODYSTRUCTURE.
/// </summary>
public static class BodyStructureWriter
{
    public static void Write(ResponseWriter w, BodyStructure b, bool extensions)
    {
        w.BeginList();
        if (b.IsMultipart)
        {
            bool first = true;
            foreach (var part in b.Parts)
            {
                if (!first)
                {
                    w.Adjacent();
                }

                first = false;
                Write(w, part, extensions);
            }

            Str(w, b.Subtype);
            if (extensions)
            {
                Parameters(w, b.Parameters);
                Disposition(w, b.Disposition);
                Language(w, b.Language);
                EnvelopeWriter.RawNString(w, b.Location);
            }

            w.EndList();
            return;
        }

        Str(w, b.Type);
        Str(w, b.Subtype);
        Parameters(w, b.Parameters);
        EnvelopeWriter.RawNString(w, b.Id);
        EnvelopeWriter.RawNString(w, b.Description);
        Str(w, b.Encoding);
        w.Number(b.Size);
        if (b.IsMessage)
        {
            EnvelopeWriter.Write(w, b.Envelope!);
            Write(w, b.Body!, extensions);
            w.Number(b.Lines ?? 0);
        }
        else if (b.Lines is long lines)
        {
            w.Number(lines);
        }

        if (extensions)
        {
            EnvelopeWriter.RawNString(w, b.Md5);
            Disposition(w, b.Disposition);
            Language(w, b.Language);
            EnvelopeWriter.RawNString(w, b.Location);
        }

        w.EndList();
    }

    private static void Str(ResponseWriter w, string raw) => EnvelopeWriter.RawString(w, raw);

    private static void Parameters(ResponseWriter w, IReadOnlyList<MimeParameter> parameters)
    {
        if (parameters.Count == 0)
        {
            w.Nil();
            return;
        }

        w.BeginList();
        foreach (var p in parameters)
        {
            Str(w, p.Name);
            Str(w, p.Value);
        }

        w.EndList();
    }

    private static void Disposition(ResponseWriter w, ContentDisposition? d)
    {
        if (d is null)
        {
            w.Nil();
            return;
        }

        w.BeginList();
        Str(w, d.Type);
        Parameters(w, d.Parameters);
        w.EndList();
    }

    private static void Language(ResponseWriter w, IReadOnlyList<string> language)
    {
        if (language.Count == 0)
        {
            w.Nil();
            return;
        }

        w.BeginList();
        foreach (string l in language)
        {
            Str(w, l);
        }

        w.EndList();
    }
}
