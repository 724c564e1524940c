using Imap4d.Commands.Search;
using Imap4d.Commands.Sort;
using Imap4d.Commands.Thread;
using Imap4d.Protocol;
using Imap4d.Session;

namespace Imap4d.Commands;

// RFC 5256 §3 THREAD and UID THREAD: "THREAD algorithm charset search-keys", answered with one
// "* THREAD" line. ORDEREDSUBJECT and REFERENCES as the RFC describes them; REFS as Dovecot
// offers it (REFERENCES' links without the subject merge, threads ordered by their newest
// message). The header fields come from the same per-selection records as SORT's.
public sealed class ThreadCommand(bool byUid) : IImapCommand
{
    public string Name => byUid ? "UID THREAD" : "THREAD";

    public SessionStates AllowedIn => SessionStates.Selected;

    public bool WithholdsExpunge => !byUid;

    public IEnumerable<string> Capabilities(CapabilityContext context) =>
        byUid ? [] : ["THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "THREAD=REFS"];

    public ValueTask<CommandResult> ExecuteAsync(CommandContext context, ArgReader args, CancellationToken ct)
    {
        var selected = context.Session.RequireSelected();
        string name = args.ExpectAtom("thread algorithm").ToUpperInvariant();
        var algorithm = name switch
        {
            "ORDEREDSUBJECT" => ThreadAlgorithm.OrderedSubject,
            "REFERENCES" => ThreadAlgorithm.References,
            "REFS" => ThreadAlgorithm.Refs,
            _ => throw new ImapSyntaxException("Unknown thread algorithm " + name),
        };
        string charset = args.ExpectAString("charset");
        SearchKey root;
        try
        {
            root = SearchParser.Parse(args, charset);
        }
        catch (SearchCharsetException e)
        {
            return ValueTask.FromResult(CommandResult.No(e.Message, SearchCharsetException.ResponseCode));
        }

        var hits = SearchProgram.Compile(root).Run(selected, ct);
        var fields = algorithm switch
        {
            ThreadAlgorithm.OrderedSubject => SortFields.Date | SortFields.Subject,
            ThreadAlgorithm.References => SortFields.Date | SortFields.Subject | SortFields.Links,
            _ => SortFields.Date | SortFields.Links,
        };
        var records = SortRecordReader.Read(selected, hits, fields, context.Session.Comparator, ct);
        var sequences = hits.Select(h => h.Sequence).ToArray();
        var threads = algorithm == ThreadAlgorithm.OrderedSubject
            ? OrderedSubjectThreader.Build(records, sequences)
            : ReferencesThreader.Build(records, sequences, mergeSubjects: algorithm == ThreadAlgorithm.References);
        string text = ThreadWriter.Write(threads, i => byUid ? hits[i].Uid : (uint)hits[i].Sequence);
        var writer = context.Writer.Untagged().Atom("THREAD");
        if (text.Length > 0)
        {
            writer.Atom(text);
        }

        writer.EndLine();
        return ValueTask.FromResult(CommandResult.Ok(Name + " Completed"));
    }
}
