using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands.List;

/// <summary>
/// One untagged LIST (or LSUB) line: <c>* LIST (attributes) "delimiter" name [extended data]</c>,
/// for LIST and LSUB and for the LIST line of an IMAP4rev2 SELECT (RFC 9051 §6.3.2).
/// </summary>
public static class ListResponse
{
    /// <param name="keyword">LIST or LSUB.</param>
    /// <param name="subscribedChild">Adds RFC 5258 CHILDINFO ("SUBSCRIBED").</param>
    public static void Write(CommandContext context, string keyword, MailboxInfo info, bool subscribedChild = false)
    {
        var writer = context.Writer.Untagged().Atom(keyword).BeginList();
        foreach (string attribute in AttributeNames(info.Attributes))
        {
            writer.Atom(attribute);
        }

        if (info.SpecialUse is { } use)
        {
            foreach (string attribute in use.Split(' '))
            {
                writer.Atom(attribute);
            }
        }

        writer.EndList().String(info.Delimiter.ToString()).AString(Utf8Accept.NameOut(context, info.Name));
        if (subscribedChild)
        {
            writer.BeginList().String("CHILDINFO").BeginList().String("SUBSCRIBED").EndList().EndList();
        }

        writer.EndLine();
    }

    private static IEnumerable<string> AttributeNames(MailboxAttributes attributes)
    {
        if (attributes.HasFlag(MailboxAttributes.NonExistent))
        {
            yield return @"\NonExistent";
        }

        if (attributes.HasFlag(MailboxAttributes.Noinferiors))
        {
            yield return @"\Noinferiors";
        }

        if (attributes.HasFlag(MailboxAttributes.Noselect))
        {
            yield return @"\Noselect";
        }

        if (attributes.HasFlag(MailboxAttributes.HasChildren))
        {
            yield return @"\HasChildren";
        }

        if (attributes.HasFlag(MailboxAttributes.HasNoChildren))
        {
            yield return @"\HasNoChildren";
        }

        if (attributes.HasFlag(MailboxAttributes.Marked))
        {
            yield return @"\Marked";
        }

        if (attributes.HasFlag(MailboxAttributes.Unmarked))
        {
            yield return @"\Unmarked";
        }

        if (attributes.HasFlag(MailboxAttributes.Subscribed))
        {
            yield return @"\Subscribed";
        }
    }
}
