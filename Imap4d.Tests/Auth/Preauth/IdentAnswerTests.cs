using Imap4d.Auth.Preauth;

namespace Imap4d.Tests.Auth.Preauth;

public class IdentAnswerTests
{
    [TestCase("6193, 23 : USERID : UNIX : stjohns", "stjohns")]
    [TestCase("6193,23:USERID:UNIX:stjohns\r\n", "stjohns")]
    [TestCase("6193 , 23 : USERID : OTHER,US-ASCII :  with spaces  ", "with spaces")]
    [TestCase("6193, 23 : USERID : UNIX : a:b", "a:b")]
    [TestCase("6193, 23 : USERID : UNIX : [bm90IHJlYWxseSBhIHRva2VuIGF0IGFsbCE=]", "[bm90IHJlYWxseSBhIHRva2VuIGF0IGFsbCE=]")]
    public void ReadsTheUser(string line, string user)
    {
        var answer = IdentAnswer.Parse(line, 6193, 23);
        Assert.That(answer.User, Is.EqualTo(user), answer.Error);
        Assert.That(answer.IsEncrypted, Is.EqualTo(user.StartsWith('[')));
    }

    [TestCase("6193, 23 : ERROR : NO-USER", "ident error: NO-USER")]
    [TestCase("6193, 24 : USERID : UNIX : stjohns", "ident reply is about other ports")]
    [TestCase("1, 23 : USERID : UNIX : stjohns", "ident reply is about other ports")]
    [TestCase("6193, 23 : USERID : stjohns", "malformed ident reply")]
    [TestCase("6193, 23 : HELLO : UNIX : stjohns", "malformed ident reply")]
    [TestCase("6193, 23 : USERID : UNIX :   ", "ident reply without a usable user name")]
    [TestCase("6193, 23 : USERID : UNIX : a\u0001b", "ident reply without a usable user name")]
    [TestCase("", "malformed ident reply")]
    [TestCase("garbage", "malformed ident reply")]
    public void RefusesOtherReplies(string line, string error)
    {
        var answer = IdentAnswer.Parse(line, 6193, 23);
        Assert.That(answer.User, Is.Null);
        Assert.That(answer.Error, Is.EqualTo(error));
    }
}
