namespace Imap4d.Tests.Mime;

/// <summary>
/// One sample text per charset a mail client sends, with its bytes in that charset (base64).
/// The bytes were made by Python's codecs (an implementation independent of .NET's), with
/// <c>base64(text.encode(charset))</c>; "ks_c_5601-1987" as cp949, "windows-874" as cp874.
/// </summary>
public static class CharsetSamples
{
    public static readonly string[][] All =
    [
        ["iso-8859-2", "WmG/87PmIGfqtmyxIGphvPEsIFD47WxpuSC+bHW7b3Xoa/0ga/ny", "Zażółć gęślą jaźń, Příliš žluťoučký kůň"],
        ["iso-8859-3", "oWFsLdVnsWlyYSDla2Vqa25hLCDYdfg=", "Ħal-Ġgħira ċkejkna, Ĝuĝ"],
        ["iso-8859-4", "q2ltZW5lLCCmYXVkaXMsINO6bmnxuQ==", "Ģimene, Ļaudis, Ķēniņš"],
        ["iso-8859-5", "werV6Owg1tUg1enxIO3i2OUg3O/T2tjlINHj297a", "Съешь же ещё этих мягких булок"],
        ["iso-8859-6", "5dHNyMcgyMfk2cfk5Q==", "مرحبا بالعالم"],
        ["iso-8859-7", "yuHr5+zd8eEg6vzz7OUsIO7l8+rl8Nzm+Q==", "Καλημέρα κόσμε, ξεσκεπάζω"],
        ["iso-8859-8", "+ezl7SDy5ezt", "שלום עולם"],
        ["iso-8859-9", "UGlqYW1hbP0gaGFzdGEgeWHw/Xog/m9m9nJlIOdhYnVjYWsgZ/x2ZW5kaQ==", "Pijamalı hasta yağız şoföre çabucak güvendi"],
        ["iso-8859-13", "wWxpbmt1c2kg4P51b2z4IPBha2EsIMxlZGVydHM=", "Įlinkusi ąžuolų šaka, Ģederts"],
        ["iso-8859-15", "Q711ciBkJ711ZiBjb/t0ZSA1IKQsIKbhcmthILRvZmll", "Cœur d'œuf coûte 5 €, Šárka Žofie"],
        ["windows-1250", "UPjtbGmaIJ5sdZ1vdehr/SBr+fIg+nDsbCDv4WJlbHNr6SDzZHk=", "Příliš žluťoučký kůň úpěl ďábelské ódy"],
        ["windows-1251", "0frl+Pwg5uUg5fm4IP3y6PUg7P/j6uj1IPTw4O328+fx6uj1IOHz6+7q", "Съешь же ещё этих мягких французских булок"],
        ["windows-1252", "k1NtYXJ0lCBxdW90ZXMgliBuYe92ZSBjYWbpIIAgnHV2cmU=", "“Smart” quotes – naïve café € œuvre"],
        ["windows-1253", "zuXz6uXw3Ob5IPTn7SD49ffv9uj88eEg4uTl6/Xj7N/h", "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία"],
        ["windows-1254", "UGlqYW1hbP0gaGFzdGEgeWHw/Xog/m9m9nJl", "Pijamalı hasta yağız şoföre"],
        ["windows-1255", "4+Ig8ff47yD56CDh6e0g7uDl6+bh", "דג סקרן שט בים מאוכזב"],
        ["windows-1256", "1fbdIM7z4d7zIM7z5s/2IN/z4/bL4fYgx+HU8+PT9g==", "صِف خَلقَ خَودِ كَمِثلِ الشَمسِ"],
        ["windows-1257", "wWxpbmt1c2kg4P51b2z4IPBha2E=", "Įlinkusi ąžuolų šaka"],
        ["windows-1258", "1W4g/XUg8GksINDgIE70bmc=", "Ơn ưu đi, Đà Nông"],
        ["windows-874", "wNLJ0uS3wiDKx9HKtNU=", "ภาษาไทย สวัสดี"],
        ["koi8-r", "89/F29gg1sUgxd2jINzUycggzdHHy8nIIMLVzM/L", "Съешь же ещё этих мягких булок"],
        ["koi8-u", "t9bByyCt1cTaycsgpM7P1Cwg/tWk2yCnyA==", "Їжак ґудзик єнот, Чуєш їх"],
        ["cp866", "keql6OwgpqUgpenxIO3iqOUgoeOrrqo=", "Съешь же ещё этих булок"],
        ["shift_jis", "gqKC64LNgsmC2YLWgsYgk/qWe4zqgsyDZYNMg1iDZyC2wLbF", "いろはにほへと 日本語のテキスト ｶﾀｶﾅ"],
        ["iso-2022-jp", "GyRCJCQkbSRPJEskWyRYJEgbKEIgGyRCRnxLXDhsJE4lRiUtJTklSBsoQg==", "いろはにほへと 日本語のテキスト"],
        ["euc-jp", "pKSk7aTPpMuk26TYpMggxvzL3Ljs", "いろはにほへと 日本語"],
        ["gb2312", "ztLE3M3Mz8Kyo8Gntviyu8nLye3M5Q==", "我能吞下玻璃而不伤身体"],
        ["gbk", "ztLE3M3Mz8Kyo8Gntviyu4L7ye3zdw==", "我能吞下玻璃而不傷身體"],
        ["gb18030", "ztLE3M3Mz8Kyo8GnIJUygjYgouM=", "我能吞下玻璃 𠀀 €"],
        ["big5", "p9qv4KddpFWswbz+ptOko7bLqK3F6Q==", "我能吞下玻璃而不傷身體"],
        ["euc-kr", "tNm298HjIMflIMPCudnE+7+hIMW4sO3GxA==", "다람쥐 헌 쳇바퀴에 타고파"],
        ["ks_c_5601-1987", "tNm298HjIMflIMPCudnE+7+hIMW4sO3GxA==", "다람쥐 헌 쳇바퀴에 타고파"],
        ["iso-2022-kr", "GyQpQw40WTZ3QWMPIA5HZQ8gDkNCOVlEew8=", "다람쥐 헌 쳇바퀴"],
        ["utf-16", "//5HAHIA/ADfAGUAIADlZSxnIAA92ADe", "Grüße 日本 😀"],
        ["utf-16be", "AEcAcgD8AN8AZQAgZeVnLAAg2D3eAA==", "Grüße 日本 😀"],
        ["utf-16le", "RwByAPwA3wBlACAA5WUsZyAAPdgA3g==", "Grüße 日本 😀"],
        ["utf-32", "//4AAEcAAAByAAAA/AAAAN8AAABlAAAAIAAAAOVlAAAsZwAAIAAAAAD2AQA=", "Grüße 日本 😀"],
        ["utf-7", "R3IrQVB3QTN3LWUgK1plVm5MQSBBKy1C", "Grüße 日本 A+B"],
        ["iso-8859-1", "x2EgY2/7dGUgdHLocyBjaGVyIOAgWvxyaWNo", "Ça coûte très cher à Zürich"],
    ];

    public static IEnumerable<TestCaseData> Cases() =>
        All.Select(s => new TestCaseData(s[0], Convert.FromBase64String(s[1]), s[2]).SetArgDisplayNames(s[0]));
}
