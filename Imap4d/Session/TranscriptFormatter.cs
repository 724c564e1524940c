using System.Text;
using Imap4d.Protocol;

namespace Imap4d.Session;

/// <summary>
/// Renders a client command for the transcript log with secrets masked: LOGIN's password and
/// AUTHENTICATE's initial response become "***", literal payloads are shown by size only.
/// </summary>
public static class TranscriptFormatter
{
    public static string Format(ClientCommand command)
    {
        var sb = new StringBuilder();
        sb.Append(command.Tag).Append(' ').Append(command.Name);
        int secretFrom = command.Name switch
        {
            "LOGIN" => 1,
            "AUTHENTICATE" => 1,
            _ => int.MaxValue,
        };

        for (int i = 0; i < command.Args.Count; i++)
        {
            sb.Append(' ');
            if (i >= secretFrom)
            {
                sb.Append("***");
            }
            else
            {
                Append(sb, command.Args[i]);
            }
        }

        return sb.ToString();
    }

    private static void Append(StringBuilder sb, ImapArg arg)
    {
        switch (arg)
        {
            case AtomArg a:
                sb.Append(a.Value);
                break;
            case StringArg { IsLiteral: true } s:
                sb.Append('{').Append(s.Content.Length).Append('}');
                break;
            case StringArg s:
                sb.Append('"').Append(s.Text.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
                break;
            case ListArg l:
                sb.Append('(');
                for (int i = 0; i < l.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }

                    Append(sb, l.Items[i]);
                }

                sb.Append(')');
                break;
        }
    }
}
