namespace Granary.Chain.Model;

/// <summary>
/// A set of sector or partition numbers, as Filecoin's RLE+ bitfield; in Lotus JSON an array of alternating
/// run lengths starting with a run of zeros (<c>[0, 3]</c> = {0, 1, 2}).
/// </summary>
public sealed class BitField : IEquatable<BitField>
{
    private readonly SortedSet<ulong> _bits;

    /// <summary>A bitfield with these members.</summary>
    public BitField(IEnumerable<ulong> bits) => _bits = [.. bits];

    /// <summary>The empty set.</summary>
    public static BitField Empty => new([]);

    /// <summary>The members in ascending order.</summary>
    public IReadOnlyCollection<ulong> Members => _bits;

    /// <summary>Number of members.</summary>
    public int Count => _bits.Count;

    /// <summary>Whether <paramref name="bit"/> is set.</summary>
    public bool Contains(ulong bit) => _bits.Contains(bit);

    /// <summary>Alternating run lengths, starting with zeros (Lotus JSON).</summary>
    public IReadOnlyList<ulong> ToRuns()
    {
        var runs = new List<ulong>();
        ulong next = 0;
        foreach (var run in Runs())
        {
            runs.Add(run.Start - next);
            runs.Add(run.Length);
            next = run.Start + run.Length;
        }

        return runs;
    }

    /// <summary>The set given by alternating run lengths.</summary>
    /// <exception cref="FormatException">More than <paramref name="maxMembers"/> members or a run that overflows.</exception>
    public static BitField FromRuns(IReadOnlyList<ulong> runs, ulong maxMembers = 1 << 22)
    {
        var bits = new List<ulong>();
        ulong position = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            var length = runs[i];
            if (position + length < position)
            {
                throw new FormatException("bitfield run overflows 64 bits");
            }

            if (i % 2 == 1)
            {
                if ((ulong)bits.Count + length > maxMembers)
                {
                    throw new FormatException($"bitfield has more than {maxMembers} members");
                }

                for (ulong b = 0; b < length; b++)
                {
                    bits.Add(position + b);
                }
            }

            position += length;
        }

        return new BitField(bits);
    }

    /// <summary>Members in this set or <paramref name="other"/>.</summary>
    public BitField Union(BitField other) => new(_bits.Concat(other._bits));

    /// <summary>Members in this set and not in <paramref name="other"/>.</summary>
    public BitField Except(BitField other) => new(_bits.Where(b => !other._bits.Contains(b)));

    /// <summary>Members in both.</summary>
    public BitField Intersect(BitField other) => new(_bits.Where(other._bits.Contains));

    /// <inheritdoc />
    public bool Equals(BitField? other) => other is not null && _bits.SetEquals(other._bits);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BitField);

    /// <inheritdoc />
    public override int GetHashCode() => _bits.Aggregate(_bits.Count, (h, b) => HashCode.Combine(h, b));

    /// <inheritdoc />
    public override string ToString() => $"{{{string.Join(",", _bits)}}}";

    private IEnumerable<(ulong Start, ulong Length)> Runs()
    {
        ulong? start = null;
        ulong length = 0;
        foreach (var b in _bits)
        {
            if (start is { } s && s + length == b)
            {
                length++;
                continue;
            }

            if (start is { } done)
            {
                yield return (done, length);
            }

            start = b;
            length = 1;
        }

        if (start is { } last)
        {
            yield return (last, length);
        }
    }
}
