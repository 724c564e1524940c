using System.Net;
using Imap4d.Config;

namespace Imap4d.Tests.Config;

public class IpNetworkTests
{
    [TestCase("any", "192.0.2.1", true)]
    [TestCase("all", "2001:db8::1", true)]
    [TestCase("192.0.2.1", "192.0.2.1", true)]
    [TestCase("192.0.2.1", "192.0.2.2", false)]
    [TestCase("10.0.0.0/8", "10.255.1.2", true)]
    [TestCase("10.0.0.0/8", "11.0.0.1", false)]
    [TestCase("10.0.0.0/255.0.0.0", "10.1.2.3", true)]
    [TestCase("192.168.1.0/255.255.255.0", "192.168.2.1", false)]
    [TestCase("192.168.1.128/25", "192.168.1.129", true)]
    [TestCase("192.168.1.128/25", "192.168.1.127", false)]
    [TestCase("0.0.0.0/0", "203.0.113.9", true)]
    [TestCase("0.0.0.0/0", "::1", false)]
    [TestCase("127.0.0.1", "::ffff:127.0.0.1", true)]
    [TestCase("::1", "::1", true)]
    [TestCase("::1", "127.0.0.1", false)]
    [TestCase("2001:db8::/32", "2001:db8:ffff::5", true)]
    [TestCase("2001:db8::/33", "2001:db8:8000::5", false)]
    [TestCase("[2001:db8::1]/128", "2001:db8::1", true)]
    [TestCase("fe80::/10", "febf::1", true)]
    [TestCase("fe80::/10", "fec0::1", false)]
    public void Matches(string network, string address, bool expected) =>
        Assert.That(IpNetwork.Parse(network).Contains(IPAddress.Parse(address)), Is.EqualTo(expected));

    [TestCase("localhost")]
    [TestCase("10.0.0.300")]
    [TestCase("127.1")]
    [TestCase("0x7f.0.0.1")]
    [TestCase("10.0.0.0/")]
    [TestCase("10.0.0.0/33")]
    [TestCase("10.0.0.0/-1")]
    [TestCase("10.0.0.0/255.0.255.0")]
    [TestCase("::1/129")]
    [TestCase("fe80::1%eth0")]
    [TestCase("")]
    public void RejectsWhatIsNotANetwork(string text) =>
        Assert.That(IpNetwork.TryParse(text, out _, out var error), Is.False, error);

    [TestCase("10.0.0.0/255.0.0.0", "10.0.0.0/8")]
    [TestCase("192.0.2.7", "192.0.2.7")]
    [TestCase("2001:db8::/32", "2001:db8::/32")]
    [TestCase("all", "any")]
    public void PrintsCanonically(string text, string expected) => Assert.That(IpNetwork.Parse(text).ToString(), Is.EqualTo(expected));
}
