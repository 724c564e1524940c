using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Imap4d.Native;

/// <summary>
/// Starts the kernel writing a file's dirty pages without waiting (<c>sync_file_range</c> with
/// SYNC_FILE_RANGE_WRITE). Called on each file of a batch before the batch's fsyncs, the writes
/// run together and each fsync mostly finds its data already on the way: one COPY of 1000 MH
/// messages otherwise waited for 1000 writes one after the other. Only a hint: the fsync still
/// makes the data durable.
/// </summary>
public static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;

    public static void Start(SafeFileHandle handle)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = sync_file_range((int)handle.DangerousGetHandle(), 0, 0, SyncFileRangeWrite);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport(LibC.Name)]
    private static partial int sync_file_range(int fd, long offset, long nbytes, uint flags);
}
