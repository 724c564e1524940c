namespace Imap4d.Mime;

/// <summary>Builds the <see cref="BodyStructure"/> of a scanned part.</summary>
public static class BodyStructureBuilder
{
    public static BodyStructure Build(MimePart part)
    {
        var type = part.EffectiveType;
        if (part.IsMultipart)
        {
            var parts = part.Children.Select(Build).ToList();
            if (parts.Count == 0)
            {
                // A multipart needs at least one body: an empty text/plain, as Dovecot does.
                parts.Add(new BodyStructure
                {
                    Type = "text",
                    Subtype = "plain",
                    Parameters = [new MimeParameter("charset", "us-ascii")],
                    Lines = 0,
                });
            }

            return new BodyStructure
            {
                Type = type.Type,
                Subtype = type.Subtype,
                Parameters = type.Parameters,
                Parts = parts,
                IsMultipart = true,
                Disposition = part.ContentDisposition,
                Language = part.ContentLanguage,
                Location = part.ContentLocation,
            };
        }

        var parameters = type.Parameters;
        bool text = type.IsType("text");
        if (text && HeaderParser.FindParameter(parameters, "charset") is null && HeaderParser.FindParameter(parameters, "charset*") is null)
        {
            parameters = [.. parameters, new MimeParameter("charset", "us-ascii")];
        }

        bool message = part.Message is not null && type.Is("message", "rfc822");
        return new BodyStructure
        {
            Type = type.Type,
            Subtype = type.Subtype,
            Parameters = parameters,
            Id = part.ContentId,
            Description = part.ContentDescription,
            Encoding = part.ContentTransferEncoding ?? "7bit",
            Size = part.BodySize,
            Lines = text || message ? part.BodyLines : null,
            Envelope = message ? EnvelopeBuilder.Build(part.Message!.Header) : null,
            Body = message ? Build(part.Message!) : null,
            Md5 = part.ContentMd5,
            Disposition = part.ContentDisposition,
            Language = part.ContentLanguage,
            Location = part.ContentLocation,
        };
    }
}
