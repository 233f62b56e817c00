using System.Collections.Concurrent;

namespace DataflowCompiler.Tasks;

/// <summary>
/// Actions that must run on the task thread (flushes, and later checkpoint triggers and
/// notifications), posted from any thread and run between records by the mailbox loop.
/// </summary>
internal sealed class Mailbox(TaskSignal signal)
{
    private readonly ConcurrentQueue<Action> _mails = new();
    private int _flushRequested;

    /// <summary>Non-zero while mail is waiting; sources check it between records.</summary>
    public int MailFlag;

    public void Post(Action mail)
    {
        _mails.Enqueue(mail);
        Volatile.Write(ref MailFlag, 1);
        signal.Set();
    }

    /// <summary>Asks the task to flush its outputs (the output flusher's request; coalesced, allocation-free).</summary>
    public void RequestFlush()
    {
        if (Interlocked.Exchange(ref _flushRequested, 1) == 0)
        {
            Volatile.Write(ref MailFlag, 1);
            signal.Set();
        }
    }

    /// <summary>Runs all waiting mail on the calling (task) thread.</summary>
    public void ProcessMail(Action flush)
    {
        if (Volatile.Read(ref MailFlag) == 0)
        {
            return;
        }
        Volatile.Write(ref MailFlag, 0);
        if (Interlocked.Exchange(ref _flushRequested, 0) == 1)
        {
            flush();
        }
        while (_mails.TryDequeue(out var mail))
        {
            mail();
        }
    }
}
