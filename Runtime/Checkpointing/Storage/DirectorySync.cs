using System.Runtime.InteropServices;

namespace DataflowCompiler.Checkpointing.Storage;

/// <summary>
/// fsync of a directory, which makes a rename or a new file in it durable: .NET cannot open a directory as a file, so
/// this calls libc on Linux. Elsewhere it does nothing (the rename is still atomic, only not yet durable).
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int DirectoryOnly = 0x10000; // O_DIRECTORY on x86-64 and Arm64 Linux
    private const int InvalidArgument = 22; // EINVAL: the file system cannot sync directories

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int descriptor = open(directory, ReadOnly | DirectoryOnly);
        if (descriptor < 0)
            throw new IOException($"Cannot open the directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() is int error && error != InvalidArgument)
                throw new IOException($"Cannot sync the directory '{directory}' (errno {error}).");
        }
        finally
        {
            _ = close(descriptor);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int descriptor);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);
}
