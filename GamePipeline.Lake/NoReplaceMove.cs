using System.Runtime.InteropServices;

namespace GamePipeline.Lake;

/// <summary>
/// Moves a file to a name only if no file has it, atomically, between processes: what a commit needs (of two
/// writers publishing one name, exactly one wins). On Unix .NET's <c>File.Move(…, overwrite: false)</c> checks for
/// the target and then renames, and rename replaces: two movers can both succeed. <c>link(2)</c> fails with EEXIST
/// instead, atomically; the source name is then removed. On Windows, MoveFileEx without REPLACE_EXISTING, which
/// File.Move uses, is already atomic.
/// </summary>
internal static partial class NoReplaceMove
{
    private const int AlreadyExists = 17; // EEXIST on Linux and macOS

    public static bool TryMove(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(source, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (Link(source, target) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == AlreadyExists
                ? false
                : throw new IOException($"link {source} → {target} failed: {Marshal.GetPInvokeErrorMessage(error)}");
        }

        File.Delete(source);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string created);
}
