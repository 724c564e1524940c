using System.Text;

namespace Imap4d.Tests.Support.Corpus;

/// <summary>
/// A deterministic mailbox for the differential tests, owned by the tests (no generator outside
/// the repository needed): the same seed and count give the same bytes on every machine.
/// <list type="bullet">
/// <item>MIME: plain text in several charsets and transfer encodings, multipart/alternative,
/// multipart/mixed with base64 attachments (some large), forwarded message/rfc822, and
/// mixed > alternative > related with an inline image.</item>
/// <item>SORT keys: subjects with every RFC 5256 §2.1 marker (Re:, Fwd:, [blobs], (fwd), [Fwd: …],
/// RFC 2047 words), addresses with and without display names, dates in many zones and
/// spellings, some unreadable or missing.</item>
/// <item>THREAD: reply chains (References:, or only In-Reply-To:), and at fixed places in every
/// block of 50 messages: a duplicate Message-ID and a reply to it, replies to a parent that
/// is not in the mailbox, a References loop between two messages, a message that references
/// itself, one without Message-ID, an In-Reply-To with a trailing comment, References and
/// In-Reply-To that disagree, and a reply known by its subject alone.</item>
/// <item>SEARCH needles (<see cref="CorpusNeedles"/>) in a few messages each.</item>
/// </list>
/// </summary>
public static class TestCorpus
{
    public static readonly CorpusNeedles Needles = new(
        Body: "quillfeather", From: "needle.sender@needle-corp.example", Subject: "zanzibarite", Text: "marmaloid", SubjectUtf8: "Grüßwölkchen");

    private static readonly DateTime Start = new(2019, 1, 1, 8, 0, 0, DateTimeKind.Utc);

    private static readonly string[] Words =
    [
        "the", "report", "attached", "please", "review", "before", "monday", "thanks", "meeting", "schedule",
        "server", "update", "numbers", "budget", "draft", "final", "version", "question", "answer", "team",
        "project", "deadline", "coffee", "printer", "lunch", "notes", "agenda", "status", "issue", "fixed",
    ];

    /// <summary>What a later message needs of an earlier one to reply to it.</summary>
    private sealed record Sent(string? MessageId, List<string> References, string BaseSubject);

    public static List<CorpusMessage> Generate(int count, ulong seed)
    {
        var random = new CorpusRandom(seed);
        var sent = new List<Sent>();
        var messages = new List<CorpusMessage>(count);
        var arrival = Start;
        for (int i = 0; i < count; i++)
        {
            arrival = arrival.AddSeconds(random.Next(600, 7 * 86400));
            var header = new StringBuilder();
            var links = Links(i, sent, random, out string baseSubject, out string? subject);
            subject ??= random.Chance(6)
                ? CorpusHeaders.UnicodeSubject(random.Pick(CorpusHeaders.UnicodeTopics), random.Next(4))
                : CorpusHeaders.Subject(baseSubject, links.References.Count > 0 ? random.Next(1, CorpusHeaders.SubjectVariants) : random.Chance(70) ? 0 : random.Next(CorpusHeaders.SubjectVariants));
            if (i % 97 == 13)
            {
                subject = Needles.Subject + " " + subject;
            }

            if (i % 89 == 7)
            {
                subject = i % 2 == 0 ? CorpusHeaders.EncodeB("Neue " + Needles.SubjectUtf8, "utf-8") : CorpusHeaders.EncodeQ(Needles.SubjectUtf8 + " heute", "utf-8");
            }

            var sentDate = arrival.AddSeconds(-random.Next(5, 900));
            if (random.Chance(4))
            {
                sentDate = sentDate.AddDays(-random.Next(1, 400));
            }

            header.Append("Return-Path: <bounce@example.com>\n");
            header.Append("Received: from mx.example.com by mail.example.com; ").Append(CorpusHeaders.Date(arrival, 0, 0)).Append('\n');
            if (i % 50 != 49)
            {
                header.Append("Date: ").Append(CorpusHeaders.Date(sentDate, random.Chance(7) ? 100 + random.Next(CorpusHeaders.BrokenDateVariants) : random.Next(CorpusHeaders.DateVariants), random.Next(12))).Append('\n');
            }

            string from = i % 199 == 31 ? $"Nadia Needle <{Needles.From}>" : CorpusHeaders.Address(random.Next(20), random.Next(CorpusHeaders.AddressVariants), random.Next(5));
            header.Append("From: ").Append(from).Append('\n');
            int toKind = random.Next(20);
            if (toKind == 0)
            {
                header.Append("To: undisclosed-recipients:;\n");
            }
            else if (toKind > 1)
            {
                var to = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => CorpusHeaders.Address(random.Next(20), random.Next(CorpusHeaders.AddressVariants), random.Next(5)));
                header.Append("To: ").Append(string.Join(",\n ", to)).Append('\n');
            }

            if (random.Chance(30))
            {
                header.Append("Cc: ").Append(CorpusHeaders.Address(random.Next(20), random.Next(CorpusHeaders.AddressVariants), random.Next(5))).Append('\n');
            }

            if (subject is not null && i % 50 != 48)
            {
                header.Append("Subject: ").Append(subject).Append('\n');
            }

            if (links.MessageId is not null)
            {
                header.Append("Message-ID: ").Append(links.MessageId).Append('\n');
            }

            if (links.InReplyTo is not null)
            {
                header.Append("In-Reply-To: ").Append(links.InReplyTo).Append('\n');
            }

            if (links.ReferencesText is not null)
            {
                header.Append("References: ").Append(links.ReferencesText).Append('\n');
            }

            if (i % 113 == 57)
            {
                header.Append("Keywords: ").Append(Needles.Text).Append(", misc\n");
            }

            if (random.Chance(40))
            {
                header.Append("X-Mailer: CorpusMail ").Append(random.Next(1, 9)).Append(".0\n");
            }

            string body = Body(i, random, header);
            sent.Add(new Sent(links.MessageId, links.References, baseSubject));

            string flags = (random.Chance(10) ? "R" : "") + (random.Chance(60) ? "S" : "");
            flags = (random.Chance(5) ? "F" : "") + flags;
            flags = (random.Chance(1) ? "D" : "") + flags;
            bool isNew = i >= count - Math.Max(1, count / 100);
            messages.Add(new CorpusMessage($"corpus (message {i + 1})", Encoding.UTF8.GetBytes(header + body), isNew ? "" : flags, isNew, arrival));
        }

        return messages;
    }

    /// <summary>The thread fields of message <paramref name="i"/>.</summary>
    private sealed record Link(string? MessageId, string? InReplyTo, string? ReferencesText, List<string> References);

    private static Link Links(int i, List<Sent> sent, CorpusRandom random, out string baseSubject, out string? subject)
    {
        string id = $"<{i + 1}.{random.NextULong() % 1_000_000:x}@corpus.example>";
        subject = null;
        baseSubject = random.Pick(CorpusHeaders.Topics);
        int place = i % 50;
        Sent? Earlier(int back) => i - back >= 0 ? sent[i - back] : null;
        switch (place)
        {
            case 10 when Earlier(3) is { MessageId: { } duplicate } original:
                // The same Message-ID as an earlier message (RFC 5256 REFERENCES step 1A: a unique one is made up for it).
                baseSubject = original.BaseSubject;
                return new Link(duplicate, null, null, []);
            case 11 when Earlier(1) is { MessageId: { } duplicated } dup:
                baseSubject = dup.BaseSubject;
                return new Link(id, null, duplicated, [duplicated]);
            case 20 or 21:
                // Replies to parents that are not in the mailbox: a dummy with two children.
                string missingRoot = $"<gone-{i / 50}@elsewhere.example>", missingMid = $"<gone-mid-{i / 50}@elsewhere.example>";
                baseSubject = "Lost parent " + (i / 50);
                return new Link(id, null, missingRoot + " " + missingMid, [missingRoot, missingMid]);
            case 30:
                // A loop: this message says the next is its parent, the next says this one is.
                string next = $"<{i + 2}.loop@corpus.example>";
                baseSubject = "Loop " + (i / 50);
                return new Link($"<{i + 1}.loop@corpus.example>", null, next, [next]);
            case 31:
                string previous = $"<{i}.loop@corpus.example>";
                baseSubject = "Loop " + (i / 50);
                return new Link($"<{i + 1}.loop@corpus.example>", null, previous, [previous]);
            case 40:
                return new Link(id, null, id, [id]);
            case 41:
                return new Link(null, null, null, []);
            case 42 when Earlier(5) is { MessageId: { } parent42 } p42:
                baseSubject = p42.BaseSubject;
                return new Link(id, parent42 + " (message from Alice Archer of Mon, 1 Jan 2019)", null, [parent42]);
            case 44 when Earlier(2) is { MessageId: { } parent44 } p44 && Earlier(4) is { MessageId: { } other }:
                baseSubject = p44.BaseSubject;
                return new Link(id, other, string.Join(" ", p44.References.Append(parent44)), [.. p44.References, parent44]);
            case 46 when Earlier(7) is { } p46:
                // A reply with no references: REFERENCES step 5 joins it to its thread by subject.
                baseSubject = p46.BaseSubject;
                subject = "Re: " + p46.BaseSubject;
                return new Link(id, null, null, []);
        }

        if (sent.Count > 0 && random.Chance(40))
        {
            var parent = sent[Math.Max(0, sent.Count - 1 - random.Next(Math.Min(sent.Count, 40)))];
            if (parent.MessageId is not null)
            {
                baseSubject = parent.BaseSubject;
                var references = parent.References.Append(parent.MessageId).ToList();
                if (references.Count > 4 && random.Chance(30))
                {
                    // Clients cut long chains: the first and the last few stay.
                    references = [references[0], .. references.Skip(references.Count - 3)];
                }

                return random.Chance(15)
                    ? new Link(id, parent.MessageId, null, [parent.MessageId])
                    : new Link(id, random.Chance(70) ? parent.MessageId : null, string.Join(random.Chance(20) ? "\n\t" : " ", references), references);
            }
        }

        return new Link(id, null, null, []);
    }

    /// <summary>The MIME header fields (added to <paramref name="header"/>), the blank line and the body.</summary>
    private static string Body(int i, CorpusRandom random, StringBuilder header)
    {
        var body = new StringBuilder();
        string text = Paragraphs(random, i);
        int kind = random.Next(100);
        header.Append("MIME-Version: 1.0\n");
        if (kind < 55)
        {
            TextPart(random, text, header, body);
            return "\n" + body;
        }

        string outer = $"=_outer_{i}_{random.Next(100000)}";
        if (kind < 75)
        {
            header.Append($"Content-Type: multipart/alternative; boundary=\"{outer}\"\n");
            body.Append("This is a multi-part message in MIME format.\n\n");
            Alternative(random, text, outer, body);
            return "\n" + body;
        }

        header.Append($"Content-Type: multipart/mixed; boundary=\"{outer}\"\n");
        body.Append($"--{outer}\n");
        if (kind < 90)
        {
            TextPart(random, text, body, body);
            for (int a = random.Next(1, 3); a > 0; a--)
            {
                body.Append($"\n--{outer}\n");
                Attachment(random, body, a);
            }
        }
        else if (kind < 95)
        {
            TextPart(random, "Forwarded message below.\n", body, body);
            body.Append($"\n--{outer}\nContent-Type: message/rfc822\nContent-Disposition: inline\n\n");
            body.Append("From: Inner Sender <inner@example.org>\nTo: someone@example.com\nSubject: The original\n");
            body.Append("Date: Tue, 2 Jul 2019 09:30:00 +0200\nMessage-ID: <inner-").Append(i).Append("@example.org>\nMIME-Version: 1.0\n");
            if (random.Chance(50))
            {
                string inner = $"=_inner_{i}";
                body.Append($"Content-Type: multipart/mixed; boundary=\"{inner}\"\n\n--{inner}\nContent-Type: text/plain\n\nInner text.\n\n--{inner}\n");
                Attachment(random, body, 1);
                body.Append($"\n--{inner}--\n");
            }
            else
            {
                body.Append("Content-Type: text/plain; charset=us-ascii\n\nThe original text.\n");
            }
        }
        else
        {
            string alternative = $"=_alt_{i}", related = $"=_rel_{i}";
            body.Append($"Content-Type: multipart/alternative; boundary=\"{alternative}\"\n\n--{alternative}\n");
            TextPart(random, text, body, body);
            body.Append($"\n--{alternative}\nContent-Type: multipart/related; boundary=\"{related}\"\n\n--{related}\n");
            body.Append("Content-Type: text/html; charset=utf-8\n\n<html><body><p>See the picture.</p><img src=\"cid:img").Append(i).Append("@corpus\"></body></html>\n");
            body.Append($"\n--{related}\nContent-Type: image/png\nContent-Transfer-Encoding: base64\nContent-ID: <img{i}@corpus>\n\n");
            body.Append(Base64Lines(random, random.Next(200, 3000)));
            body.Append($"--{related}--\n\n--{alternative}--\n");
        }

        body.Append($"\n--{outer}--\n");
        return "\n" + body;
    }

    /// <summary>A text/plain part: its fields into <paramref name="fields"/>, the blank line and text into <paramref name="body"/>.</summary>
    private static void TextPart(CorpusRandom random, string text, StringBuilder fields, StringBuilder body)
    {
        switch (random.Next(5))
        {
            case 0:
                fields.Append("Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: 7bit\n");
                body.Append('\n').Append(text);
                break;
            case 1:
                fields.Append("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n");
                body.Append('\n').Append(text).Append("Grüße aus Köln.\n");
                break;
            case 2:
                fields.Append("Content-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n");
                body.Append('\n').Append(text.Replace("=", "=3D", StringComparison.Ordinal)).Append("Gr=C3=BC=C3=9Fe aus K=C3=B6ln, sehr lange Zeile die wei=\nter geht.\n");
                break;
            case 3:
                fields.Append("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n");
                body.Append('\n').Append(text).Append("Caf=E9 cr=E8me.\n");
                break;
            default:
                fields.Append("Content-Type: text/plain; format=flowed\n");
                body.Append('\n').Append(text);
                break;
        }
    }

    private static void Alternative(CorpusRandom random, string text, string boundary, StringBuilder body)
    {
        body.Append($"--{boundary}\n");
        TextPart(random, text, body, body);
        body.Append($"\n--{boundary}\nContent-Type: text/html; charset=us-ascii\n\n<html><body>");
        body.Append(text.Replace("\n", "<br>\n", StringComparison.Ordinal)).Append("</body></html>\n");
        body.Append($"\n--{boundary}--\n");
    }

    private static void Attachment(CorpusRandom random, StringBuilder body, int n)
    {
        int size = random.Chance(15) ? random.Next(12000, 40000) : random.Next(100, 4000);
        string name = random.Chance(20) ? CorpusHeaders.EncodeQ($"Bericht-{n}-Größe.pdf", "utf-8") : $"file{n}.pdf";
        body.Append($"Content-Type: application/pdf; name=\"{name}\"\nContent-Transfer-Encoding: base64\n");
        body.Append($"Content-Disposition: attachment; filename=\"{name}\"\n\n");
        body.Append(Base64Lines(random, size));
    }

    private static string Base64Lines(CorpusRandom random, int size)
    {
        var bytes = new byte[size];
        for (int b = 0; b < size; b++)
        {
            bytes[b] = (byte)random.NextULong();
        }

        string encoded = Convert.ToBase64String(bytes);
        var lines = new StringBuilder();
        for (int at = 0; at < encoded.Length; at += 76)
        {
            lines.Append(encoded, at, Math.Min(76, encoded.Length - at)).Append('\n');
        }

        return lines.ToString();
    }

    /// <summary>A few lines of text; the body and text needles in a few messages (never base64 encoded).</summary>
    private static string Paragraphs(CorpusRandom random, int i)
    {
        var sb = new StringBuilder();
        for (int line = random.Next(2, 12); line > 0; line--)
        {
            for (int w = random.Next(4, 12); w > 0; w--)
            {
                sb.Append(random.Pick(Words)).Append(w > 1 ? " " : "");
            }

            sb.Append('\n');
        }

        if (i >= 0 && i % 71 == 5)
        {
            sb.Append("The code word is ").Append(Needles.Body).Append(".\n");
        }

        if (i >= 0 && i % 83 == 11)
        {
            sb.Append("Also ").Append(Needles.Text).Append(" here.\n");
        }

        return sb.ToString();
    }
}
