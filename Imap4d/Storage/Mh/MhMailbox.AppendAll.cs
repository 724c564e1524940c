using Imap4d.Native;
using Imap4d.Storage.Index;
using Mono.Unix.Native;

namespace Imap4d.Storage.Mh;

internal sealed partial class MhMailbox
{
    /// <summary>
    /// MULTIAPPEND: APPEND's write order for many messages (see the class summary), with every temp
    /// file written and fsynced before the lock and .mh_sequences and the index written once. When
    /// anything fails under the lock, the numbers already linked are unlinked again, so none of the
    /// call stays.
    /// </summary>
    public IReadOnlyList<uint> AppendAll(IReadOnlyList<AppendItem> messages)
    {
        if (!_canWrite)
        {
            throw new StorageException(StorageError.NoPermission, "Mailbox is not writable", _folder.Path);
        }

        var temps = new List<(string Path, long CrlfSize)>(messages.Count);
        try
        {
            foreach (var message in messages)
            {
                string temp = Path.Combine(_folder.Path, MhFolder.TempPrefix + Environment.ProcessId + "." + Guid.NewGuid().ToString("N"));
                temps.Add((temp, 0));
                long crlfSize;
                using (var content = message.Open())
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
                {
                    crlfSize = LfWriter.Copy(content, stream).CrlfSize;
                    stream.Flush();
                    Writeback.Start(stream.SafeFileHandle);
                }

                File.SetLastWriteTimeUtc(temp, message.InternalDate.UtcDateTime);
                temps[^1] = (temp, crlfSize);
            }

            // Data on disk before any name points at it; the writes of all of them were started above.
            foreach (var (temp, _) in temps)
            {
                MhFolder.FsyncFile(temp);
            }

            using var mhLock = Lock();
            // Saved with the appended records below: an append-only open writes them in place.
            _folder.Refresh(mhLock, _canWrite, deferSave: _appendOnly, forAppend: true);
            var listedBefore = _folder.TrustedListing();
            var index = _folder.Index;
            // Only an append-only open is sure nothing but appends changed the index since it was saved.
            int savedCount = _appendOnly ? index.Records.Count : -1;
            UidValidity = index.UidValidity;
            uint uidNextBefore = index.UidNext;
            int number = NextMessageNumber(index);
            var linked = new List<int>(messages.Count);
            var records = new List<IndexRecord>(messages.Count);
            try
            {
                var sequences = MhSequences.Parse(mhLock.ReadSequences());
                for (int i = 0; i < messages.Count; i++)
                {
                    while (Syscall.link(temps[i].Path, _folder.MessagePath(number.ToString())) != 0)
                    {
                        var errno = NativeErrno.Last;
                        if (errno != Errno.EEXIST)
                        {
                            throw new StorageException(errno is Errno.ENOSPC or Errno.EDQUOT ? StorageError.OverQuota : StorageError.Temporary,
                                "Cannot write message", _folder.Path + ": link: " + errno);
                        }

                        number++;
                    }

                    linked.Add(number);
                    Syscall.unlink(temps[i].Path);

                    // Identified after the link and unlink: both change the ctime.
                    FileIdentity identity;
                    long length;
                    using (var written = new FileStream(_folder.MessagePath(number.ToString()), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1))
                    {
                        identity = MhFolder.Identify(written, out length) with { Complete = true };
                    }

                    uint uid = Math.Max(index.UidNext, (uint)number);
                    index.UidNext = uid + 1;
                    var flags = messages[i].Flags;
                    sequences.RemoveEverywhere([number], MhFlagMap.Cur);
                    MhFlagMap.Write(sequences, number, FlagSet.Empty, flags);
                    records.Add(new IndexRecord(uid, flags, messages[i].InternalDate, temps[i].CrlfSize, ++index.HighestModSeq,
                        number.ToString(), Length: length, Extra: MhFolder.MakeExtra(identity)));
                    number++;
                }

                mhLock.WriteSequences(sequences.Format());
                _folder.SequencesWritten();
            }
            catch
            {
                UndoLinks(linked, index, uidNextBefore);
                throw;
            }

            index.Records.AddRange(records);
            _folder.LinksWritten(listedBefore);
            _folder.Touch();
            _folder.SaveAppended(_canWrite, savedCount);
            return records.Select(r => r.Uid).ToList();
        }
        finally
        {
            foreach (var (temp, _) in temps)
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
