using Imap4d.Config;
using Imap4d.IO;
using NLog;

namespace Imap4d.Session;

/// <summary>
/// The TLS certificates of one process, loaded on first use per distinct `tls` block and kept,
/// so the daemon does not re-read key files for every connection. A block that cannot be
/// loaded is logged once and remembered as unusable.
/// </summary>
public sealed class TlsContextCache
{
    private readonly Dictionary<TlsSettings, TlsServerContext?> _loaded = [];

    /// <summary>The context for <paramref name="settings"/>; null when TLS is off there or its files cannot be used.</summary>
    public TlsServerContext? Get(TlsSettings settings, ILogger log)
    {
        if (!settings.Enabled)
        {
            return null;
        }

        var key = settings with { ConfiguredMode = null }; // the mode does not change what is loaded
        lock (_loaded)
        {
            if (_loaded.TryGetValue(key, out var known))
            {
                return known;
            }

            TlsServerContext? context = null;
            try
            {
                context = TlsServerContext.Load(settings);
                foreach (string warning in context.Warnings)
                {
                    log.Warn("TLS: {0}", warning);
                }
            }
            catch (TlsSetupException e)
            {
                log.Error("TLS is not available: {0}", e.Message);
            }

            _loaded[key] = context;
            return context;
        }
    }
}
