using System.Text;
using Imap4d.Native;

namespace Imap4d.Tests.Native;

public class DescriptorPassingTests
{
    [Test]
    public void DescriptorRoundTripsOverASocketPair()
    {
        var (sender, receiver) = FileDescriptors.CreateSocketPair();
        var (pipeRead, pipeWrite) = FileDescriptors.CreatePipe();
        int received = -1;
        try
        {
            DescriptorPassing.Send(sender, pipeWrite, (byte)'C');
            FileDescriptors.Close(pipeWrite);
            pipeWrite = -1;

            Assert.That(DescriptorPassing.Receive(receiver, out byte tag, out received), Is.True);
            Assert.That(tag, Is.EqualTo((byte)'C'));
            Assert.That(received, Is.GreaterThan(2));
            Assert.That(FileDescriptors.IsCloseOnExec(received), Is.True, "received descriptors are close-on-exec");

            FileDescriptors.WriteAll(received, "through the copy"u8);
            FileDescriptors.Close(received);
            received = -1;
            var buffer = new byte[64];
            int n = FileDescriptors.Read(pipeRead, buffer);
            Assert.That(Encoding.ASCII.GetString(buffer, 0, n), Is.EqualTo("through the copy"));
            Assert.That(FileDescriptors.Read(pipeRead, buffer), Is.Zero, "every copy of the write end is closed");
        }
        finally
        {
            foreach (int fd in new[] { sender, receiver, pipeRead, pipeWrite, received })
            {
                if (fd >= 0)
                {
                    FileDescriptors.Close(fd);
                }
            }
        }
    }

    [Test]
    public void PlainByteArrivesWithoutDescriptor()
    {
        var (a, b) = FileDescriptors.CreateSocketPair();
        try
        {
            FileDescriptors.WriteAll(a, "R"u8);
            Assert.That(DescriptorPassing.Receive(b, out byte tag, out int fd), Is.True);
            Assert.That((tag, fd), Is.EqualTo(((byte)'R', -1)));
        }
        finally
        {
            FileDescriptors.Close(a);
            FileDescriptors.Close(b);
        }
    }

    [Test]
    public void ClosedPeerGivesEndOfFileAndSendFails()
    {
        var (a, b) = FileDescriptors.CreateSocketPair();
        FileDescriptors.Close(a);
        try
        {
            Assert.That(DescriptorPassing.Receive(b, out _, out int fd), Is.False);
            Assert.That(fd, Is.EqualTo(-1));
            var e = Assert.Throws<NativeError>(() => DescriptorPassing.Send(b, 0, (byte)'C'));
            Assert.That(e!.Errno, Is.EqualTo(32), "EPIPE, without a SIGPIPE");
        }
        finally
        {
            FileDescriptors.Close(b);
        }
    }
}
