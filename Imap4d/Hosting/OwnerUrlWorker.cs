using Imap4d.Auth;
using Imap4d.Commands;
using Imap4d.Commands.UrlAuth;
using Imap4d.Config;
using Imap4d.Native;
using NLog;

namespace Imap4d.Hosting;

/// <summary>
/// The URL owner's side of cross-user URLFETCH, in a delivery worker that has become the owner
/// for good (<see cref="DeliveryWorkerHost"/>): the URL must name this worker's user; the token
/// is checked with the owner's own key and the access identifier against the requesting user
/// the daemon names; only then is the message read and sent back in a memory file.
/// </summary>
public static class OwnerUrlWorker
{
    /// <summary>Answers one <see cref="OwnerUrlMessages.WorkerRequest"/> on <paramref name="channel"/>.</summary>
    /// <param name="owner">The user this worker has become; null when it could not (every URL is then not found).</param>
    public static void Answer(int channel, ServerSettings settings, UserInfo? owner, string ownerName, ReadOnlySpan<byte> packet, ILogger log)
    {
        byte[]? message = null;
        try
        {
            var (requester, text) = OwnerUrlMessages.DecodeWorkerRequest(packet);
            message = owner is null ? null : Fetch(settings, owner, ownerName, requester, text);
        }
        catch (InvalidDataException e)
        {
            log.Error("URL worker for {0}: {1}", ownerName, e.Message);
        }

        if (message is null)
        {
            DescriptorPassing.SendPacket(channel, OwnerUrlMessages.EncodeWorkerReply(OwnerUrlStatus.NotFound), -1);
            return;
        }

        Microsoft.Win32.SafeHandles.SafeFileHandle file;
        try
        {
            file = MessageMemoryFile.Create(message);
        }
        catch (IOException e)
        {
            log.Error("URL worker for {0}: {1}", ownerName, e.Message);
            DescriptorPassing.SendPacket(channel, OwnerUrlMessages.EncodeWorkerReply(OwnerUrlStatus.Failed), -1);
            return;
        }

        using (file)
        {
            DescriptorPassing.SendPacket(channel, OwnerUrlMessages.EncodeWorkerReply(OwnerUrlStatus.Found), (int)file.DangerousGetHandle());
        }
    }

    /// <summary>The message of an authorized URL of <paramref name="owner"/>, read from the owner's store; null otherwise.</summary>
    public static byte[]? Fetch(ServerSettings settings, UserInfo owner, string ownerName, string requester, string text)
    {
        if (!ImapUrl.TryParse(text, out var url) || (url.User != ownerName && url.User != owner.Name))
        {
            return null;
        }

        var homes = SessionServicesFactory.CreateHomeDirectory(settings, _ => { });
        var store = SessionServicesFactory.CreateStoreFactory(settings, homes)(owner);
        return UrlAuthorization.Verify(store, url, requester, DateTimeOffset.UtcNow)
            ? UrlMessage.Open(store, null, url, settings.Limits.MaxAppendSize)?.Message
            : null;
    }
}
