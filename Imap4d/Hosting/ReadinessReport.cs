using System.Text;
using Imap4d.Native;

namespace Imap4d.Hosting;

/// <summary>
/// The detached daemon's report to the process that started it (<see cref="DaemonDetacher"/>):
/// "OK" once it listens and has written its pid file, or "ERR message" when it cannot start.
/// Without a report descriptor (a daemon in the foreground) every call does nothing.
/// </summary>
public sealed class ReadinessReport
{
    private int _fd;

    /// <param name="fd">The pipe to the starting process (IMAP4D_READY_FD), or null.</param>
    public ReadinessReport(int? fd)
    {
        _fd = fd ?? -1;
        if (_fd >= 0)
        {
            // Keep it from the session processes the daemon starts.
            FileDescriptors.SetCloseOnExec(_fd, true);
        }
    }

    public void Succeeded() => Send("OK");

    public void Failed(string message) => Send("ERR " + message.ReplaceLineEndings(" "));

    private void Send(string line)
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0)
        {
            return;
        }

        try
        {
            FileDescriptors.WriteAll(fd, Encoding.UTF8.GetBytes(line + "\n"));
        }
        catch (NativeError)
        {
            // The starting process is gone; nobody to tell.
        }
        finally
        {
            FileDescriptors.Close(fd);
        }
    }
}
