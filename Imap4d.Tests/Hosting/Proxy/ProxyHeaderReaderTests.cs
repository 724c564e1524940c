using System.Buffers.Binary;
using System.Net;
using System.Text;
using Imap4d.Hosting.Proxy;
using Imap4d.Tests.Mime;

namespace Imap4d.Tests.Hosting.Proxy;

public class ProxyHeaderReaderTests
{
    private static readonly byte[] ClientBytes = "1 CAPABILITY\r\n"u8.ToArray();

    /// <summary>Reads a header from <paramref name="bytes"/> followed by a client command; returns it and how far the stream was read.</summary>
    private static (ProxyHeader Header, long Consumed) Read(byte[] bytes, int chunk = int.MaxValue)
    {
        var stream = new CountingStream(new TrickleStream([.. bytes, .. ClientBytes], chunk));
        var header = ProxyHeaderReader.ReadAsync(stream, TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();
        return (header, stream.Consumed);
    }

    private static string ErrorOf(byte[] bytes) =>
        Assert.ThrowsAsync<ProxyHeaderException>(() => ProxyHeaderReader.ReadAsync(new MemoryStream(bytes), TimeSpan.FromSeconds(5), CancellationToken.None))!.Message;

    /// <summary>A v2 header: version/command byte, family/transport byte, then the variable part.</summary>
    internal static byte[] V2(byte versionCommand, byte familyTransport, byte[] rest)
    {
        var header = new byte[16 + rest.Length];
        ProxyV2Parser.Signature.CopyTo(header);
        header[12] = versionCommand;
        header[13] = familyTransport;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)rest.Length);
        rest.CopyTo(header, 16);
        return header;
    }

    internal static byte[] V2Inet(IPEndPoint source, IPEndPoint destination, byte[]? tlvs = null)
    {
        var addresses = new List<byte>();
        addresses.AddRange(source.Address.GetAddressBytes());
        addresses.AddRange(destination.Address.GetAddressBytes());
        addresses.AddRange([(byte)(source.Port >> 8), (byte)source.Port, (byte)(destination.Port >> 8), (byte)destination.Port]);
        addresses.AddRange(tlvs ?? []);
        byte family = source.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? (byte)0x11 : (byte)0x21;
        return V2(0x21, family, [.. addresses]);
    }

    [TestCase(int.MaxValue)]
    [TestCase(1)]
    [TestCase(5)]
    public void V1Tcp4(int chunk)
    {
        var bytes = "PROXY TCP4 203.0.113.7 192.0.2.1 56324 143\r\n"u8.ToArray();
        var (header, consumed) = Read(bytes, chunk);
        Assert.Multiple(() =>
        {
            Assert.That(header, Is.EqualTo(new ProxyHeader(1, ProxyCommand.Proxy,
                new IPEndPoint(IPAddress.Parse("203.0.113.7"), 56324), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 143), bytes.Length)));
            Assert.That(consumed, Is.EqualTo(bytes.Length), "nothing after the header is read");
        });
    }

    [Test]
    public void V1Tcp6AtTheMaximumLength()
    {
        string address = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        var bytes = Encoding.ASCII.GetBytes($"PROXY TCP6 {address} {address} 65535 65535\r\n");
        Assert.That(bytes.Length, Is.EqualTo(104));
        var (header, consumed) = Read(bytes, 1);
        Assert.That(header.Source, Is.EqualTo(new IPEndPoint(IPAddress.Parse(address), 65535)));
        Assert.That(consumed, Is.EqualTo(bytes.Length));
    }

    [Test]
    public void V1UnknownKeepsTheRealPeer()
    {
        var bytes = "PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"u8.ToArray();
        var (header, consumed) = Read(bytes);
        Assert.That(header.Command, Is.EqualTo(ProxyCommand.Local));
        Assert.That(header.CarriesClient, Is.False);
        Assert.That(consumed, Is.EqualTo(bytes.Length));
        Assert.That(Read("PROXY UNKNOWN\r\n"u8.ToArray()).Header.Command, Is.EqualTo(ProxyCommand.Local));
    }

    [TestCase("PROXY TCP4 203.0.113.7 192.0.2.1 56324 143\n")]
    [TestCase("PROXY TCP4 203.0.113.7  192.0.2.1 56324 143\r\n")]
    [TestCase("PROXY TCP4 203.0.113.7 192.0.2.1 56324\r\n")]
    [TestCase("PROXY TCP4 203.0.113.7 192.0.2.1 56324 143 9\r\n")]
    [TestCase("PROXY TCP4 ::1 ::1 56324 143\r\n")]
    [TestCase("PROXY TCP6 127.0.0.1 127.0.0.1 56324 143\r\n")]
    [TestCase("PROXY TCP4 127.1 192.0.2.1 56324 143\r\n")]
    [TestCase("PROXY TCP4 256.0.0.1 192.0.2.1 56324 143\r\n")]
    [TestCase("PROXY TCP4 203.0.113.7 192.0.2.1 65536 143\r\n")]
    [TestCase("PROXY TCP4 203.0.113.7 192.0.2.1 -1 143\r\n")]
    [TestCase("PROXY UDP4 203.0.113.7 192.0.2.1 56324 143\r\n")]
    [TestCase("PROXY TCP6 fe80::1%eth0 ::1 56324 143\r\n")]
    [TestCase("PROXY\r\n1 LOGIN a b\r\n")]
    [TestCase("proxy TCP4 203.0.113.7 192.0.2.1 56324 143\r\n")]
    [TestCase("1 CAPABILITY\r\n")]
    [TestCase("GET / HTTP/1.0\r\n\r\n")]
    public void MalformedV1IsRefused(string text) => Assert.That(ErrorOf(Encoding.ASCII.GetBytes(text)), Is.Not.Empty);

    [Test]
    public void OverlongV1IsRefusedAfter107Bytes()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY UNKNOWN " + new string('x', 200) + "\r\n");
        var stream = new CountingStream(new MemoryStream(bytes));
        var error = Assert.ThrowsAsync<ProxyHeaderException>(() => ProxyHeaderReader.ReadAsync(stream, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("107"));
        Assert.That(stream.Consumed, Is.EqualTo(107));
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(int.MaxValue)]
    public void V2Inet4WithTlvsSkipped(int chunk)
    {
        var tlvs = new byte[] { 0x04, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x20, 0x00, 0x00 };
        var bytes = V2Inet(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 40000), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 993), tlvs);
        var (header, consumed) = Read(bytes, chunk);
        Assert.Multiple(() =>
        {
            Assert.That(header, Is.EqualTo(new ProxyHeader(2, ProxyCommand.Proxy,
                new IPEndPoint(IPAddress.Parse("198.51.100.9"), 40000), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 993), bytes.Length)));
            Assert.That(consumed, Is.EqualTo(bytes.Length));
        });
    }

    [Test]
    public void V2Inet6()
    {
        var bytes = V2Inet(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 1), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 143));
        var (header, consumed) = Read(bytes);
        Assert.That(header.Source, Is.EqualTo(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 1)));
        Assert.That(header.Destination, Is.EqualTo(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 143)));
        Assert.That(consumed, Is.EqualTo(16 + 36));
    }

    [Test]
    public void V2LocalUnspecAndUnixKeepTheRealPeer()
    {
        var local = V2(0x20, 0x00, []);
        var localWithAddresses = V2(0x20, 0x11, new byte[12]);
        var unspec = V2(0x21, 0x00, [1, 2, 3]);
        var unix = V2(0x21, 0x31, new byte[216]);
        foreach (var bytes in new[] { local, localWithAddresses, unspec, unix })
        {
            var (header, consumed) = Read(bytes);
            Assert.That(header.CarriesClient, Is.False);
            Assert.That(consumed, Is.EqualTo(bytes.Length));
        }
    }

    [Test]
    public void MalformedV2IsRefused()
    {
        var good = V2Inet(new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2));
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(V2(0x11, 0x11, new byte[12])), Does.Contain("version"));
            Assert.That(ErrorOf(V2(0x22, 0x11, new byte[12])), Does.Contain("command"));
            Assert.That(ErrorOf(V2(0x21, 0x41, new byte[12])), Does.Contain("family"));
            Assert.That(ErrorOf(V2(0x21, 0x11, new byte[11])), Does.Contain("shorter"));
            Assert.That(ErrorOf(V2(0x21, 0x21, new byte[12])), Does.Contain("shorter"));
            Assert.That(ErrorOf(V2(0x21, 0x12, new byte[12])), Does.Contain("non-stream"));
            Assert.That(ErrorOf(good[..^1]), Does.Contain("closed"));
            Assert.That(ErrorOf(good[..14]), Does.Contain("closed"));
        });
    }

    [Test]
    public void TruncatedHeadersOfEveryLengthAreRefused()
    {
        var v1 = "PROXY TCP4 203.0.113.7 192.0.2.1 56324 143\r\n"u8.ToArray();
        var v2 = V2Inet(new IPEndPoint(IPAddress.Loopback, 1), new IPEndPoint(IPAddress.Loopback, 2), [1, 0, 1, 9]);
        foreach (var full in new[] { v1, v2 })
        {
            for (int length = 0; length < full.Length; length++)
            {
                Assert.That(ErrorOf(full[..length]), Is.Not.Empty, $"{length} bytes");
            }
        }
    }

    [Test]
    public void SlowHeaderTimesOut()
    {
        var stream = new StallingStream("PROXY TCP4 "u8.ToArray());
        var error = Assert.ThrowsAsync<ProxyHeaderException>(() => ProxyHeaderReader.ReadAsync(stream, TimeSpan.FromMilliseconds(200), CancellationToken.None));
        Assert.That(error!.Message, Does.Contain("within"));
    }

    /// <summary>
    /// Random bytes, and valid headers with random bytes changed or cut: the reader answers with
    /// a header or a <see cref="ProxyHeaderException"/>, nothing else; a header it accepts is
    /// never longer than the input, and the bytes after it are never read.
    /// </summary>
    [Test]
    public void RandomInputNeverThrowsAnythingElse()
    {
        var random = TestContext.CurrentContext.Random;
        var seeds = new[]
        {
            "PROXY TCP4 203.0.113.7 192.0.2.1 56324 143\r\n"u8.ToArray(),
            "PROXY TCP6 2001:db8::1 ::1 1 2\r\n"u8.ToArray(),
            "PROXY UNKNOWN\r\n"u8.ToArray(),
            V2Inet(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 40000), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 993)),
            V2Inet(new IPEndPoint(IPAddress.IPv6Loopback, 5), new IPEndPoint(IPAddress.IPv6Loopback, 6), [0x05, 0x00, 0x01, 0x00]),
            V2(0x20, 0x00, []),
        };
        int accepted = 0;
        for (int i = 0; i < 5000; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[random.Next(0, 300)];
                random.NextBytes(input);
                if (input.Length > 12 && random.Next(2) == 0)
                {
                    ProxyV2Parser.Signature.CopyTo(input);
                }
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Length)].Clone();
                int changes = random.Next(1, 4);
                for (int c = 0; c < changes; c++)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                if (random.Next(3) == 0)
                {
                    input = input[..random.Next(input.Length)];
                }
            }

            var stream = new CountingStream(new TrickleStream([.. input, .. ClientBytes], random.Next(1, 20)));
            try
            {
                var header = ProxyHeaderReader.ReadAsync(stream, TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();
                accepted++;
                Assert.That(header.Length, Is.EqualTo(stream.Consumed), $"input {Convert.ToHexString(input)}");
                Assert.That(stream.Consumed, Is.LessThanOrEqualTo(input.Length + ClientBytes.Length));
            }
            catch (ProxyHeaderException)
            {
            }
        }

        TestContext.Out.WriteLine($"{accepted} of 5000 random inputs parsed as headers");
    }

    /// <summary>Counts the bytes handed out, to prove nothing past the header is consumed.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Consumed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Consumed;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Consumed += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Hands out some bytes, then waits forever (until cancelled).</summary>
    private sealed class StallingStream(byte[] first) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < first.Length)
            {
                int n = Math.Min(buffer.Length, first.Length - _position);
                first.AsMemory(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
