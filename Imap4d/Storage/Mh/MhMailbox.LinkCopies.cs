using Imap4d.Native;
using Imap4d.Storage.Index;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mh;

internal sealed partial class MhMailbox
{
    /// <summary>
    /// COPY between two MH folders: the source files are hard-linked under the target's next
    /// numbers (what nmh's <c>refile -link</c> does, and Dovecot's maildir COPY), instead of written
    /// and fsynced once more each: COPY 1:1000 took seconds for its 1000 fsyncs. Under the target's
    /// lock, like APPEND: link, check that the new name holds the inode whose data the source
    /// record describes (else it is unlinked again), then .mh_sequences and the index once. A
    /// message that cannot be linked (another file system, renumbered meanwhile) ends the batch
    /// and is copied by <see cref="AppendMany"/>; the next batch starts after it.
    /// </summary>
    private List<(uint Source, uint Target)> LinkCopies(MhMailbox target, List<MessageInfo> messages)
    {
        var result = new List<(uint, uint)>(messages.Count);
        int next = 0;
        while (next < messages.Count)
        {
            next += target.LinkBatch(this, messages, next, result);
            if (next < messages.Count)
            {
                var info = messages[next++];
                var created = target.AppendMany([new AppendItem(() => OpenContent(info.Uid), info.Flags, info.InternalDate)]);
                result.Add((info.Uid, created[0]));
            }
        }

        return result;
    }

    /// <summary>Links messages of <paramref name="source"/> from <paramref name="start"/> on until one cannot be; returns how many were.</summary>
    private int LinkBatch(MhMailbox source, List<MessageInfo> messages, int start, List<(uint, uint)> result)
    {
        if (!_canWrite)
        {
            throw new StorageException(StorageError.NoPermission, "Mailbox is not writable", _folder.Path);
        }

        using var mhLock = Lock();
        // Saved with the linked records below: an append-only open writes them in place.
        _folder.Refresh(mhLock, _canWrite, deferSave: _appendOnly, forAppend: true);
        var listedBefore = _folder.TrustedListing();
        var index = _folder.Index;
        int savedCount = _appendOnly ? index.Records.Count : -1;
        UidValidity = index.UidValidity;
        uint uidNextBefore = index.UidNext;
        int number = NextMessageNumber(index);
        var linked = new List<int>();
        var records = new List<IndexRecord>();
        try
        {
            var sequences = MhSequences.Parse(mhLock.ReadSequences());
            for (int i = start; i < messages.Count; i++)
            {
                var info = messages[i];
                if (!source._files.TryGetValue(info.Uid, out var original)
                    || LinkOne(source, original, ref number) is not { } identity)
                {
                    break;
                }

                linked.Add(number);
                uint uid = Math.Max(index.UidNext, (uint)number);
                index.UidNext = uid + 1;
                sequences.RemoveEverywhere([number], MhFlagMap.Cur);
                MhFlagMap.Write(sequences, number, FlagSet.Empty, info.Flags);
                long size = original.Size >= 0 ? original.Size : source._measuredSizes.GetValueOrDefault(info.Uid, MhFolder.UnknownSize);
                records.Add(new IndexRecord(uid, info.Flags, info.InternalDate, size, ++index.HighestModSeq, number.ToString(),
                    Length: original.Length, Extra: MhFolder.MakeExtra(identity)));
                number++;
            }

            if (records.Count > 0)
            {
                mhLock.WriteSequences(sequences.Format());
                _folder.SequencesWritten();
            }
        }
        catch
        {
            UndoLinks(linked, index, uidNextBefore);
            throw;
        }

        if (records.Count == 0)
        {
            if (_folder.SavePending)
            {
                _folder.Save(_canWrite);
            }

            return 0;
        }

        index.Records.AddRange(records);
        _folder.LinksWritten(listedBefore);
        _folder.Touch();
        _folder.SaveAppended(_canWrite, savedCount);
        for (int i = 0; i < records.Count; i++)
        {
            result.Add((messages[start + i].Uid, records[i].Uid));
        }

        return records.Count;
    }

    /// <summary>
    /// Links the file of <paramref name="original"/> (in <paramref name="source"/>) as the first free
    /// number from <paramref name="number"/> on; the identity of the new name, or null (nothing left
    /// behind) when the source file no longer holds the record's data or cannot be linked here.
    /// </summary>
    private FileIdentity? LinkOne(MhMailbox source, IndexRecord original, ref int number)
    {
        string from = source._folder.MessagePath(original.Key);
        long inode;
        ulong fingerprint;
        try
        {
            using var stream = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
            if (!MhFolder.HoldsRecordData(stream, original))
            {
                return null;
            }

            inode = MhFolder.InodeOf(original);
            fingerprint = MhFolder.ContentFingerprintOf(original) ?? MhFolder.Fingerprint(stream.SafeFileHandle, original.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        while (Syscall.link(from, _folder.MessagePath(number.ToString())) != 0)
        {
            if (NativeErrno.Last != Errno.EEXIST)
            {
                return null; // EXDEV, EPERM, EMLINK...: written as a copy instead
            }

            number++;
        }

        string to = _folder.MessagePath(number.ToString());
        // The source name may have been given to another file between the check and the link.
        if (Syscall.stat(to, out var st) != 0 || (long)st.st_ino != inode)
        {
            Syscall.unlink(to);
            return null;
        }

        // The link changed the ctime: the identity is taken after it (unsettled until checked again).
        return new FileIdentity(inode, st.st_mtime * 1_000_000_000L + st.st_mtime_nsec,
            st.st_ctime * 1_000_000_000L + st.st_ctime_nsec, fingerprint, Settled: false, Complete: true);
    }
}
