namespace Imap4d.Storage.Maildir;

internal sealed partial class MaildirMailbox
{
    /// <summary>
    /// What <see cref="Append"/> on an append-only object (a delivery, the target of APPEND) needs,
    /// at a cost that does not grow with the mailbox: UIDVALIDITY and UIDNEXT from the ends of the
    /// UID list, the MODSEQ counter, and no index. An append-only object never writes the index
    /// while one exists, so it need not read it either: the next full open finds the new file by
    /// its scan and its UID in the list. Reading both in full cost a delivery 15 ms of CPU in a
    /// 10,000-message maildir. False when the full load is needed (no index yet, an unreadable list).
    /// </summary>
    private bool TryLoadForAppend()
    {
        if (!_appendOnly || _loaded || _indexPath.Length == 0 || !File.Exists(_indexPath) || !_uidList.TryReadEnds(_path))
        {
            return false;
        }

        _uidValidity = _uidList.UidValidity;
        _highestModSeq = Math.Max(_highestModSeq, _counter.Highest());
        _indexLoaded = true; // an index exists; as after reading it, this object leaves it alone
        return true;
    }
}
