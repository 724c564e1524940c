namespace Imap4d.Storage.Maildir;

internal sealed partial class MaildirMailbox
{
    /// <summary>
    /// MULTIAPPEND: every message is written to tmp/ first, outside the lock, and made durable with
    /// one syncfs instead of an fsync each; then, under one lock, all are linked into cur/ and their
    /// UIDs written with one UID-list append (one fsync). When anything fails, the files already
    /// linked are taken back, so none of the call stays.
    /// </summary>
    public IReadOnlyList<uint> AppendAll(IReadOnlyList<AppendItem> messages)
    {
        ThrowIfDisposed();
        var written = new List<(string Tmp, long FileSize, long VirtualSize)>(messages.Count);
        try
        {
            foreach (var message in messages)
            {
                string tmpPath = Path.Combine(TmpDir, MaildirFileName.NewUnique(DateTimeOffset.UtcNow));
                using var content = message.Open();
                var (fileSize, virtualSize) = WriteTmp(content, tmpPath, message.InternalDate, sync: false);
                written.Add((tmpPath, fileSize, virtualSize));
            }

            try
            {
                Native.FileSystemSync.Sync(TmpDir);
            }
            catch (IOException e)
            {
                throw MaildirFiles.Wrap(e, "append to " + _path);
            }

            using (MaildirLock.Acquire(_path))
            {
                if (!TryLoadForAppend())
                {
                    LoadState();
                }

                RefreshKeywords();
                EnsureLetters(messages.SelectMany(m => m.Flags.Keywords));
                var entries = new List<MaildirEntry>(messages.Count);
                var assignments = new List<(uint Uid, string Key)>(messages.Count);
                uint uid = NextUid();
                try
                {
                    for (int i = 0; i < messages.Count; i++)
                    {
                        var (tmpPath, fileSize, virtualSize) = written[i];
                        var flags = messages[i].Flags;
                        string letters = MaildirFileName.LettersOf(flags, string.Empty, _keywords);
                        string unique = MaildirFileName.NewUnique(DateTimeOffset.UtcNow);
                        string name = $"{unique},S={fileSize},W={virtualSize},u={uid}:2,{letters}";
                        if (!MaildirFiles.TryLink(tmpPath, Path.Combine(CurDir, name)))
                        {
                            throw new StorageException(StorageError.Temporary, "Could not store the message", "name collision: " + name);
                        }

                        entries.Add(new MaildirEntry
                        {
                            Uid = uid,
                            Key = unique,
                            Dir = "cur",
                            Name = name,
                            Flags = flags,
                            InternalDate = messages[i].InternalDate,
                            Size = virtualSize,
                            FileSize = fileSize,
                            ModSeq = ++_highestModSeq,
                        });
                        assignments.Add((uid++, unique));
                    }

                    // As in APPEND: the files are in cur/ before their UIDs are written.
                    EnsureMailutilsProperties();
                    _uidList.Append(_path, assignments);
                }
                catch
                {
                    foreach (var entry in entries)
                    {
                        TryDelete(Path.Combine(CurDir, entry.Name));
                    }

                    throw;
                }

                foreach (var entry in entries)
                {
                    AddEntry(entry);
                }

                _curStamp = Index.SourceStamp.None;
                _dirty = true;
                return entries.Select(e => e.Uid).ToList();
            }
        }
        finally
        {
            foreach (var (tmpPath, _, _) in written)
            {
                TryDelete(tmpPath);
            }
        }
    }
}
