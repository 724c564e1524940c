using System.Text;
using Imap4d.Config;
using Imap4d.Protocol;
using Imap4d.Tests.Support;

namespace Imap4d.Tests.Protocol;

/// <summary>
/// Drives a <see cref="CommandReader"/> over given bytes and prints what it produced, one
/// event per entry: <c>+</c> for a continuation request, a canonical command print, <c>BAD</c>
/// for a syntax error, <c>BYE</c> for a protocol violation and <c>EOF</c> at the end.
/// </summary>
internal static class ReaderHarness
{
    /// <summary>Reads every command from <paramref name="input"/> delivered as the given chunks.</summary>
    public static async Task<List<string>> RunAsync(byte[] input, IEnumerable<int>? chunkSizes = null, ProtocolLimits? limits = null)
    {
        var pipe = new TestPipe();
        int offset = 0;
        if (chunkSizes is not null)
        {
            foreach (int size in chunkSizes)
            {
                if (offset >= input.Length)
                {
                    break;
                }

                int n = Math.Min(size, input.Length - offset);
                pipe.Write(input, offset, n);
                offset += n;
            }
        }

        pipe.Write(input, offset, input.Length - offset);
        pipe.Complete();
        return await RunAsync(pipe, limits ?? new ProtocolLimits());
    }

    public static async Task<List<string>> RunAsync(Stream stream, ProtocolLimits limits)
    {
        var events = new List<string>();
        var reader = new CommandReader(new InputBuffer(stream), limits, _ =>
        {
            events.Add("+");
            return ValueTask.CompletedTask;
        });
        while (true)
        {
            try
            {
                using var command = await reader.ReadCommandAsync(CancellationToken.None);
                if (command is null)
                {
                    events.Add("EOF");
                    return events;
                }

                events.Add(Print(command));
            }
            catch (ImapSyntaxException e)
            {
                events.Add($"BAD {e.Tag ?? "*"} {(e.Code is null ? "" : "[" + e.Code + "] ")}{e.Message}");
            }
            catch (ProtocolViolationException e)
            {
                events.Add("BYE " + e.Message);
                return events;
            }
        }
    }

    /// <summary>Splits <paramref name="length"/> bytes into random chunks, mostly tiny.</summary>
    public static List<int> RandomChunks(Random random, int length)
    {
        var sizes = new List<int>();
        int total = 0;
        int maxChunk = random.Next(4) switch
        {
            0 => 1,
            1 => 3,
            2 => 17,
            _ => 300,
        };
        while (total < length)
        {
            int n = random.Next(1, maxChunk + 1);
            sizes.Add(n);
            total += n;
        }

        return sizes;
    }

    public static string Print(ClientCommand command)
    {
        var sb = new StringBuilder();
        sb.Append(command.Tag).Append(' ').Append(command.Name);
        foreach (var arg in command.Args)
        {
            sb.Append(' ');
            Print(sb, arg);
        }

        return sb.ToString();
    }

    public static void Print(StringBuilder sb, ImapArg arg)
    {
        switch (arg)
        {
            case AtomArg a:
                sb.Append(a.Value);
                break;
            case StringArg s:
                if (s.IsLiteral)
                {
                    sb.Append('{').Append(s.Content.Length).Append('}');
                }

                sb.Append(Quote(s.Content.ToArray()));
                break;
            case ListArg l:
                sb.Append('(');
                for (int i = 0; i < l.Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(' ');
                    }

                    Print(sb, l.Items[i]);
                }

                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException(arg.GetType().Name);
        }
    }

    /// <summary>Bytes as a C-like quoted string: printable ASCII as is, the rest as \xNN.</summary>
    public static string Quote(byte[] bytes)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in bytes)
        {
            if (b == '"' || b == '\\')
            {
                sb.Append('\\').Append((char)b);
            }
            else if (b >= 0x20 && b < 0x7f)
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("X2"));
            }
        }

        return sb.Append('"').ToString();
    }

    public static byte[] Latin1(string s) => Encoding.Latin1.GetBytes(s);
}
