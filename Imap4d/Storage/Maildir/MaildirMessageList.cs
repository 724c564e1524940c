using System.Collections;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// A maildir's view as <see cref="IMailbox.Messages"/>: per message the state's entry and the
/// flags and MODSEQ it had when the view was made (the entry changes with later syncs, the view
/// never does), in UID order. A <see cref="MessageInfo"/> is made only when one is asked for, so a
/// selected mailbox holds one array of 32-byte rows and no object or closure per message.
/// </summary>
internal sealed class MaildirMessageList : IReadOnlyList<MessageInfo>, IUidIndexedList
{
    private readonly Row[] _items;
    private readonly Func<MaildirEntry, long> _sizeOf;
    private readonly Func<MaildirEntry, DateTimeOffset> _dateOf;

    /// <param name="items">In ascending UID order; never changed from now on (lists of other sessions may share them).</param>
    public MaildirMessageList(Row[] items, Func<MaildirEntry, long> sizeOf, Func<MaildirEntry, DateTimeOffset> dateOf)
    {
        _items = items;
        _sizeOf = sizeOf;
        _dateOf = dateOf;
    }

    public static MaildirMessageList Empty { get; } = new([], _ => 0, _ => default);

    /// <summary>One message as the view shows it.</summary>
    public readonly record struct Row(MaildirEntry Entry, FlagSet Flags, ulong ModSeq)
    {
        public Row(MaildirEntry entry)
            : this(entry, entry.Flags, entry.ModSeq)
        {
        }

        public uint Uid => Entry.Uid;
    }

    public int Count => _items.Length;

    public MessageInfo this[int index]
    {
        get
        {
            ref readonly var item = ref _items[index];
            return item.Entry.ToInfo(item.Flags, item.ModSeq, _sizeOf, _dateOf);
        }
    }

    internal ReadOnlySpan<Row> Items => _items;

    public uint UidAt(int index) => _items[index].Entry.Uid;

    public ulong ModSeqAt(int index) => _items[index].ModSeq;

    public FlagSet FlagsAt(int index) => _items[index].Flags;

    public MaildirEntry EntryAt(int index) => _items[index].Entry;

    public int IndexOfUid(uint uid) => UidSequence.IndexOf(this, _items.Length, uid);

    public void CopyUidsTo(List<uint> into)
    {
        into.EnsureCapacity(into.Count + _items.Length);
        foreach (ref readonly var item in _items.AsSpan())
        {
            into.Add(item.Entry.Uid);
        }
    }

    public int FirstUnseen()
    {
        for (int i = 0; i < _items.Length; i++)
        {
            if (!_items[i].Flags.Has(MessageFlags.Seen))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>This view with the items of <paramref name="changed"/> (entries in it) as they are now.</summary>
    public MaildirMessageList With(IReadOnlyCollection<MaildirEntry> changed)
    {
        if (changed.Count == 0)
        {
            return this;
        }

        var items = (Row[])_items.Clone();
        foreach (var entry in changed)
        {
            int at = IndexOfUid(entry.Uid);
            if (at >= 0)
            {
                items[at] = new Row(entry);
            }
        }

        return new MaildirMessageList(items, _sizeOf, _dateOf);
    }

    /// <summary>This view without the messages of <paramref name="gone"/>.</summary>
    public MaildirMessageList Without(IReadOnlyCollection<uint> gone)
    {
        if (gone.Count == 0)
        {
            return this;
        }

        var set = gone as ISet<uint> ?? gone.ToHashSet();
        var items = new Row[Math.Max(0, _items.Length - set.Count)];
        int n = 0;
        foreach (ref readonly var item in _items.AsSpan())
        {
            if (!set.Contains(item.Entry.Uid))
            {
                if (n == items.Length)
                {
                    Array.Resize(ref items, n + 1);
                }

                items[n++] = item;
            }
        }

        if (n != items.Length)
        {
            Array.Resize(ref items, n);
        }

        return new MaildirMessageList(items, _sizeOf, _dateOf);
    }

    public IEnumerator<MessageInfo> GetEnumerator()
    {
        for (int i = 0; i < _items.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
