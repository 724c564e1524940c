using Imap4d.Protocol;
using Imap4d.Storage.Quota;

namespace Imap4d.Commands;

/// <summary>Writes the untagged QUOTA response of RFC 9208 §5.1: <c>* QUOTA root (RESOURCE usage limit ...)</c>.</summary>
public static class QuotaResponse
{
    public static void Write(ResponseWriter writer, string root, IReadOnlyList<QuotaResource> resources)
    {
        writer.Untagged().Atom("QUOTA").AString(root).BeginList();
        foreach (var resource in resources)
        {
            writer.Atom(resource.Name)
                .Atom(resource.Usage.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Atom(resource.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        writer.EndList().EndLine();
    }
}
