using System.Security.Cryptography;
using System.Text;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Integration;

/// <summary>
/// A 50 MB APPEND and FETCH BODY[] through the built imap4d (one inetd-mode session process per
/// format): the message comes back byte for byte, and the session's peak resident memory
/// (VmHWM, reset through /proc/PID/clear_refs before each step) stays within 64 MB of what it
/// used when idle. Before messages were streamed, mbox peaked at about 220 MB above idle on
/// APPEND and 320 MB on FETCH.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public class BigMessageTests
{
    private const int MessageMegabytes = 50;
    private const long AllowedGrowthKb = 64 * 1024;

    private static byte[] BigMessage()
    {
        var attachment = new byte[MessageMegabytes * 1024 * 1024 * 3 / 4];
        new Random(9).NextBytes(attachment);
        var text = new StringBuilder()
            .Append("From: a@example.org\r\nTo: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n")
            .Append("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n")
            .Append("--b1\r\nContent-Type: text/plain\r\n\r\nFrom here on, a big file.\r\n>From quoted.\r\n")
            .Append("--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n")
            .Append(Convert.ToBase64String(attachment, Base64FormattingOptions.InsertLineBreaks))
            .Append("\r\n--b1--\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    [TestCase("mbox")]
    [TestCase("maildir")]
    [TestCase("mh")]
    public void A50MegabyteMessageIsAppendedAndFetchedInBoundedMemory(string type)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"imap4d-big-{type}-{Guid.NewGuid():N}");
        try
        {
            DemoDaemonTests.WriteDemo(dir, ServerProcess.FreePort(), extra: "");
            string conf = Path.Combine(dir, "imap4d.conf");
            File.WriteAllText(conf, File.ReadAllText(conf)
                .Replace("mode daemon;", "")
                .Replace("mailbox-type mbox;", $"mailbox-type {type};")
                .Replace("mailbox-pattern \"$home/mail/INBOX\";", $"mailbox-pattern \"{type}://$home/mail/INBOX\";"));
            File.Delete(Path.Combine(dir, "home", "demo", "mail", "INBOX"));
            byte[] message = BigMessage();

            using var server = ServerProcess.Start("-i", "--config-file=" + conf);
            var client = new RawClient(server.Process.StandardInput.BaseStream, server.Process.StandardOutput.BaseStream);
            client.ReadLine();
            Assert.That(client.Tagged("a", "LOGIN demo demo"), Does.StartWith("a OK"));
            Assert.That(client.Tagged("s", "SELECT INBOX"), Does.StartWith("s OK"));
            int pid = server.Process.Id;
            long idle = Kb(pid, "VmRSS:");

            ResetPeak(pid);
            Assert.That(client.Append("b", message), Does.StartWith("b OK"));
            Assert.That(client.Tagged("n", "NOOP"), Does.StartWith("n OK"));
            long appendPeak = Kb(pid, "VmHWM:");

            ResetPeak(pid);
            var (length, hash) = client.FetchLiteral("f", "FETCH 1 BODY.PEEK[]");
            long fetchPeak = Kb(pid, "VmHWM:");

            Assert.That(length, Is.EqualTo(message.Length));
            Assert.That(hash, Is.EqualTo(SHA256.HashData(message)), "fetched byte for byte");
            TestContext.Out.WriteLine($"{type}: idle {idle / 1024} MB, APPEND peak {appendPeak / 1024} MB, FETCH peak {fetchPeak / 1024} MB");
            Assert.That(appendPeak - idle, Is.LessThan(AllowedGrowthKb), "growth on APPEND (kB)");
            Assert.That(fetchPeak - idle, Is.LessThan(AllowedGrowthKb), "growth on FETCH BODY[] (kB)");
            client.Tagged("z", "LOGOUT");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static long Kb(int pid, string field)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
    }

    /// <summary>"5" resets the peak resident set size to the current one (Linux 4.0 and later).</summary>
    private static void ResetPeak(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>Just enough IMAP over byte streams to send and receive a literal without holding it as text.</summary>
    private sealed class RawClient(Stream toServer, Stream fromServer)
    {
        private readonly BufferedStream _input = new(fromServer, 1 << 16);

        public string ReadLine()
        {
            var line = new MemoryStream();
            int b;
            while ((b = _input.ReadByte()) >= 0 && b != '\n')
            {
                line.WriteByte((byte)b);
            }

            if (b < 0)
            {
                throw new EndOfStreamException("server closed");
            }

            return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
        }

        public string Tagged(string tag, string command)
        {
            Send(tag + " " + command);
            return UntilTagged(tag);
        }

        public string Append(string tag, byte[] message)
        {
            Send($"{tag} APPEND INBOX {{{message.Length}}}");
            Assert.That(ReadLine(), Does.StartWith("+"));
            toServer.Write(message);
            toServer.Write("\r\n"u8);
            toServer.Flush();
            return UntilTagged(tag);
        }

        /// <summary>The literal of a one-message FETCH: its length and SHA-256.</summary>
        public (long Length, byte[] Hash) FetchLiteral(string tag, string command)
        {
            Send(tag + " " + command);
            string line = ReadLine();
            int open = line.LastIndexOf('{');
            Assert.That(open, Is.GreaterThan(0), line);
            long length = long.Parse(line[(open + 1)..line.LastIndexOf('}')]);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            for (long left = length; left > 0;)
            {
                int n = _input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                Assert.That(n, Is.GreaterThan(0), "the literal ended early");
                sha.AppendData(buffer, 0, n);
                left -= n;
            }

            Assert.That(UntilTagged(tag), Does.StartWith(tag + " OK"));
            return (length, sha.GetHashAndReset());
        }

        private void Send(string line)
        {
            toServer.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
            toServer.Flush();
        }

        private string UntilTagged(string tag)
        {
            while (true)
            {
                string line = ReadLine();
                if (line.StartsWith(tag + " ", StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
    }
}
