namespace Granary.Chain.Devnet;

/// <summary>
/// Undo records for one message's execution: every state change pushes how to take it back, so a method that
/// fails part way (an <see cref="ActorException"/>) leaves no trace but its gas and nonce, as in Filecoin.
/// </summary>
internal sealed class Journal
{
    private readonly List<Action> _undo = [];

    public int Mark() => _undo.Count;

    public void Record(Action undo) => _undo.Add(undo);

    public void RevertTo(int mark)
    {
        for (var i = _undo.Count - 1; i >= mark; i--)
        {
            _undo[i]();
        }

        _undo.RemoveRange(mark, _undo.Count - mark);
    }

    public void Clear() => _undo.Clear();
}
