using Imap4d.Native;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace Imap4d.Storage.Maildir;

/// <summary>
/// cur/ and new/ of one maildir, opened on first use for a batch of renames (one STORE) and
/// closed with it: each rename then names two files, not two full paths.
/// </summary>
internal sealed class MaildirDirectories(string path) : IDisposable
{
    private SafeFileHandle? _cur;
    private SafeFileHandle? _new;

    /// <summary>Renames <paramref name="dir"/>/<paramref name="from"/> to cur/<paramref name="to"/>; false when the file is gone.</summary>
    public bool TryRenameIntoCur(string dir, string from, string to)
    {
        var source = dir switch
        {
            "cur" => _cur ??= FileStatus.OpenDirectory(Path.Combine(path, "cur")),
            "new" => _new ??= FileStatus.OpenDirectory(Path.Combine(path, "new")),
            _ => null,
        };
        var target = _cur ??= FileStatus.OpenDirectory(Path.Combine(path, "cur"));
        if (source is null || target is null)
        {
            return MaildirFiles.TryRename(Path.Combine(path, dir, from), Path.Combine(path, "cur", to));
        }

        try
        {
            return RenameAt.TryRename(source, from, target, to);
        }
        catch (NativeError e)
        {
            throw MaildirFiles.IoError("rename", NativeConvert.ToErrno(e.Errno));
        }
    }

    public void Dispose()
    {
        _cur?.Dispose();
        _new?.Dispose();
    }
}
