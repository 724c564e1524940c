using System.Collections;
using Imap4d.Storage;

namespace Imap4d.Session;

/// <summary>
/// The client's sequence numbers: the UID of each, ascending. At SELECT it is the mailbox's view
/// itself when that view is a fixed <see cref="IUidIndexedList"/> (no copy: a re-SELECT of a
/// large mailbox touches no per-message data); it becomes a list of its own at the first change
/// the client is told about (EXISTS, EXPUNGE, VANISHED).
/// </summary>
internal sealed class SequenceMap : IReadOnlyList<uint>, IUidSequence
{
    private IUidIndexedList? _view;
    private readonly int _viewCount;
    private List<uint>? _own;

    public SequenceMap(IReadOnlyList<MessageInfo> messages)
    {
        if (messages is IUidIndexedList indexed)
        {
            _view = indexed;
            _viewCount = messages.Count;
        }
        else
        {
            _own = new List<uint>(messages.Count);
            foreach (var message in messages)
            {
                _own.Add(message.Uid);
            }
        }
    }

    public int Count => _own?.Count ?? _viewCount;

    public uint this[int index]
    {
        get
        {
            if (_own is not null)
            {
                return _own[index];
            }

            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_viewCount, nameof(index));
            return _view!.UidAt(index);
        }
    }

    public uint UidAt(int index) => this[index];

    /// <summary>As <see cref="List{T}.BinarySearch(T)"/>: the position of <paramref name="uid"/>, or the complement of where it would go.</summary>
    public int BinarySearch(uint uid) => _own?.BinarySearch(uid) ?? UidSequence.BinarySearch(_view!, _viewCount, uid);

    /// <summary>
    /// Once the mailbox has a newer view, the UIDs are copied, so the old view (a whole array of
    /// the driver's records) is not kept alive for the sequence numbers alone.
    /// </summary>
    public void LetGoOf(IReadOnlyList<MessageInfo> current)
    {
        if (_own is null && !ReferenceEquals(current, _view))
        {
            Own();
        }
    }

    public void Add(uint uid) => Own().Add(uid);

    public void RemoveAt(int index) => Own().RemoveAt(index);

    public void RemoveAll(Predicate<uint> match) => Own().RemoveAll(match);

    private List<uint> Own()
    {
        if (_own is null)
        {
            _own = new List<uint>(_viewCount + 16);
            _view!.CopyUidsTo(_own);
            _view = null;
        }

        return _own;
    }

    public IEnumerator<uint> GetEnumerator()
    {
        if (_own is not null)
        {
            foreach (uint uid in _own)
            {
                yield return uid;
            }

            yield break;
        }

        for (int i = 0; i < _viewCount; i++)
        {
            yield return _view!.UidAt(i);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
