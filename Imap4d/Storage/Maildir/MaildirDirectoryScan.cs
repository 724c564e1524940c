using System.IO.Enumeration;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// One readdir of a maildir's new/ or cur/ compared with the messages already known, without
/// a string per file: a file whose key is known under exactly this name and directory only
/// gets the scan's mark; every other file (new, renamed, moved) is reported by name. A rescan
/// of an unchanged 10,000-message maildir then allocates nothing per message.
/// </summary>
internal static class MaildirDirectoryScan
{
    private static readonly EnumerationOptions AllEntries = new() { AttributesToSkip = 0, IgnoreInaccessible = true };

    /// <summary>
    /// Lists <paramref name="dir"/> ("new" or "cur") of the maildir <paramref name="path"/>: known,
    /// unchanged files get <paramref name="mark"/>; the others go into <paramref name="other"/>
    /// by key. A later listing wins over an earlier one for the same key (as with one dictionary
    /// of every name), so an unchanged file also takes its key out of <paramref name="other"/>.
    /// Dot files and directories are skipped; a missing directory lists nothing.
    /// </summary>
    public static void List(string path, string dir, Dictionary<string, MaildirEntry> byKey, int mark,
        Dictionary<string, (string Dir, string Name)> other)
    {
        var known = byKey.GetAlternateLookup<ReadOnlySpan<char>>();
        var otherByKey = other.GetAlternateLookup<ReadOnlySpan<char>>();
        try
        {
            var names = new FileSystemEnumerable<string>(Path.Combine(path, dir), (ref FileSystemEntry entry) => entry.FileName.ToString(), AllEntries)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                {
                    var name = entry.FileName;
                    if (entry.IsDirectory || name.Length == 0 || name[0] == '.')
                    {
                        return false;
                    }

                    var key = KeyOf(name);
                    if (known.TryGetValue(key, out var message) && message.Dir == dir && name.SequenceEqual(message.Name))
                    {
                        message.ScanMark = mark;
                        if (other.Count > 0)
                        {
                            otherByKey.Remove(key);
                        }

                        return false;
                    }

                    return true;
                },
            };
            foreach (string name in names)
            {
                other[MaildirFileName.KeyOf(name)] = (dir, name);
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The part of a file name before the first ',' or ':' (see <see cref="MaildirFileName.KeyOf"/>).</summary>
    private static ReadOnlySpan<char> KeyOf(ReadOnlySpan<char> name)
    {
        int end = name.IndexOfAny(',', ':');
        return end < 0 ? name : name[..end];
    }
}
