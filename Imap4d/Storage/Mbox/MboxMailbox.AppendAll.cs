using Imap4d.Storage;

namespace Imap4d.Storage.Mbox;

internal sealed partial class MboxMailbox
{
    /// <summary>
    /// MULTIAPPEND: every message in one batch, so one lock, one journal entry and one fsync, and
    /// a failed write truncates them all away (<see cref="MboxState.AppendBatch"/>). Memory stays
    /// bounded: once the drafts hold <see cref="MaxBatchMemory"/> bytes, the rest go straight to
    /// their spool files.
    /// </summary>
    public IReadOnlyList<uint> AppendAll(IReadOnlyList<AppendItem> messages)
    {
        ThrowIfDisposed();
        var batch = new List<(MboxDraft Draft, FlagSet Flags, DateTimeOffset InternalDate)>(messages.Count);
        long inMemory = 0;
        try
        {
            foreach (var message in messages)
            {
                int memoryLimit = inMemory < MaxBatchMemory ? MboxDraft.MemoryLimit : 0;
                MboxDraft draft;
                using (var content = message.Open())
                {
                    draft = MboxDraft.Prepare(content, memoryLimit);
                }

                batch.Add((draft, message.Flags, message.InternalDate));
                inMemory += Math.Min(draft.HeaderLength + draft.BodyLength, memoryLimit);
            }

            return batch.Count == 0 ? [] : WriteBatch(batch);
        }
        finally
        {
            foreach (var item in batch)
            {
                item.Draft.Dispose();
            }
        }
    }
}
