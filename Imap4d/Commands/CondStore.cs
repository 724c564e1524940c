using System.Globalization;
using Imap4d.Protocol;
using Imap4d.Session;
using Imap4d.Storage;

namespace Imap4d.Commands;

/// <summary>
/// What the commands of RFC 7162 (CONDSTORE, QRESYNC) share: turning CONDSTORE on for the session
/// (§3.1: ENABLE, SELECT/EXAMINE with CONDSTORE, and any command that uses MODSEQ do), the
/// HIGHESTMODSEQ / NOMODSEQ response code, and reading mod-sequence values.
/// </summary>
internal static class CondStore
{
    public const string Name = "CONDSTORE";
    public const string QResync = "QRESYNC";

    /// <summary>The largest mod-sequence value (RFC 7162 §7: 63 bits).</summary>
    public const ulong MaxValue = long.MaxValue;

    public static bool IsEnabled(SessionData session) => session.Enabled.Contains(Name);

    public static bool IsQResyncEnabled(SessionData session) => session.Enabled.Contains(QResync);

    /// <summary>
    /// A CONDSTORE-enabling command ran: CONDSTORE is on from now, and a mailbox already selected
    /// tells its HIGHESTMODSEQ (as Dovecot does), so the client has the value it syncs from.
    /// </summary>
    public static void Enable(CommandContext context)
    {
        if (!context.Session.Enabled.Add(Name))
        {
            return;
        }

        if (context.Session.Selected is { } selected)
        {
            selected.ReportModSeq = true;
            WriteHighestModSeq(context.Writer, selected.Mailbox);
        }
    }

    /// <summary>"* OK [HIGHESTMODSEQ n]", or "* OK [NOMODSEQ]" for a mailbox whose MODSEQs do not last.</summary>
    public static void WriteHighestModSeq(ResponseWriter writer, IMailbox mailbox)
    {
        if (mailbox.PersistentModSeq)
        {
            writer.UntaggedStatus("OK", "HIGHESTMODSEQ " + Format(mailbox.HighestModSeq), "Highest");
        }
        else
        {
            writer.UntaggedStatus("OK", "NOMODSEQ", "Sorry, this mailbox format doesn't support modsequences");
        }
    }

    public static string Format(ulong modSeq) => modSeq.ToString(CultureInfo.InvariantCulture);

    /// <summary>A mod-sequence value (0 allowed where the grammar says mod-sequence-valzer).</summary>
    public static ulong ExpectModSeq(ArgReader args, bool allowZero = true)
    {
        string text = args.ExpectAtom("mod-sequence");
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            || value > MaxValue || (value == 0 && !allowZero))
        {
            throw new ImapSyntaxException("Invalid mod-sequence " + text);
        }

        return value;
    }
}
