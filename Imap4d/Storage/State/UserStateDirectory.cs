using Imap4d.Native;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mono.Unix.Native;
using NLog;

namespace Imap4d.Storage.State;

/// <summary>
/// The directory where imap4d keeps what belongs to one user and cannot safely live beside a
/// mailbox: indexes and caches of mailboxes in shared directories (the mail spool), all of them
/// when `index-directory` is configured (as Dovecot's INDEX=), and the user's UIDVALIDITY
/// counter. Default <c>$home/.imap4d</c>. Created 0700; when it cannot be made private to the
/// user, mailboxes go without a persistent index rather than fail.
/// </summary>
public sealed class UserStateDirectory
{
    public const string DefaultLocation = "$home/.imap4d";
    private const string IndexSubdirectory = "index";
    private const string UidValidityFileName = "uidvalidity";

    private static readonly Logger Log = LogManager.GetCurrentClassLogger();
    /// <summary>The last value given out in this process, per state directory ("" for none).</summary>
    private static readonly Dictionary<string, uint> LastInProcess = new(StringComparer.Ordinal);

    /// <param name="root">The directory, variables expanded; null for none (no persistent state outside mailboxes).</param>
    /// <param name="forced">Every index and cache goes here, none beside its mailbox.</param>
    public UserStateDirectory(string? root, bool forced = false)
    {
        Root = root is { Length: > 0 } ? Path.GetFullPath(root) : null;
        Forced = forced && Root is not null;
    }

    public string? Root { get; }

    /// <summary>True when `index-directory` was configured: indexes never go beside mailboxes.</summary>
    public bool Forced { get; }

    /// <summary><c>$HOME/.imap4d</c> of this process (tests, tools); sessions use the logged-in user's home.</summary>
    public static UserStateDirectory FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? Path.Combine(home, ".imap4d") : null);

    /// <summary>From the `index-directory` statement (or the default), $user and $home expanded.</summary>
    public static UserStateDirectory For(string? configured, string user, string home)
    {
        string location = Namespaces.MailboxLocator.Expand(configured ?? DefaultLocation, user, home);
        return new UserStateDirectory(location.Length > 0 && location[0] == '/' ? location : null, configured is not null);
    }

    /// <summary>
    /// A file for <paramref name="mailboxPath"/> in the index subdirectory, named by the mailbox's
    /// name and a hash of its full path; null when the directory cannot be made private.
    /// </summary>
    public string? FileFor(string mailboxPath, string extension)
    {
        if (Root is null)
        {
            return null;
        }

        string directory = Path.Combine(Root, IndexSubdirectory);
        if (!PrivateFiles.EnsureDirectory(Root) || !PrivateFiles.EnsureDirectory(directory))
        {
            Log.Warn("{0} is not a private directory of this user: no persistent index there", directory);
            return null;
        }

        string full = Path.GetFullPath(mailboxPath);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..16];
        return Path.Combine(directory, Path.GetFileName(full) + "-" + hash + extension);
    }

    /// <summary>
    /// A UIDVALIDITY for a mailbox that is new or lost its UIDs: above <paramref name="old"/>, above
    /// every value this user was given before (even in the same second, by another process), and
    /// the current time when that is higher (RFC 3501 §2.3.1.1: a re-created name gets a new one).
    /// </summary>
    public uint NextUidValidity(uint old = 0)
    {
        uint now = (uint)Math.Max(1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        uint fromFile = Root is not null && PrivateFiles.EnsureDirectory(Root) ? FromCounterFile(now, old) : 0;
        lock (LastInProcess)
        {
            // Within one process the counter is also kept in memory: without a usable file,
            // values still never repeat here.
            string key = Root ?? string.Empty;
            uint last = LastInProcess.GetValueOrDefault(key);
            uint next = Math.Max(Math.Max(now, old + 1), Math.Max(fromFile, last + 1));
            LastInProcess[key] = next;
            return next;
        }
    }

    /// <summary>max(now, old + 1, last + 1) under an fcntl lock on the counter file, which is updated; 0 on failure.</summary>
    private uint FromCounterFile(uint now, uint old)
    {
        string path = Path.Combine(Root!, UidValidityFileName);
        try
        {
            using var file = PrivateFiles.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, bufferSize: 1);
            int fd = (int)file.SafeFileHandle.DangerousGetHandle();
            while (RecordLock.Set(fd, LockType.F_WRLCK, wait: true) is var errno && errno != 0)
            {
                if (errno != Errno.EINTR)
                {
                    return 0;
                }
            }

            var buffer = new byte[32];
            int length = RandomAccess.Read(file.SafeFileHandle, buffer, 0);
            uint.TryParse(Encoding.ASCII.GetString(buffer, 0, length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out uint last);
            uint next = Math.Max(Math.Max(now, old + 1), last + 1);
            byte[] text = Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture) + "\n");
            RandomAccess.Write(file.SafeFileHandle, text, 0);
            file.SetLength(text.Length);
            return next; // closing the file drops the lock
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn(e, "cannot use the UIDVALIDITY counter {0}", path);
            return 0;
        }
    }
}
