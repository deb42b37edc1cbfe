using System.Globalization;

namespace Granary.Gateway.Retrieval;

/// <summary>
/// A single HTTP byte range resolved against a resource's length (RFC 9110 §14): <c>bytes=A-B</c>, <c>bytes=A-</c> or
/// the suffix <c>bytes=-N</c>. As Go's <c>http.ServeContent</c> does (which booster-http serves pieces with), a
/// malformed or unsatisfiable range is refused (416); a request for several ranges is answered with the whole
/// resource (200), which RFC 9110 allows, instead of a multipart body.
/// </summary>
public readonly record struct ByteRange(long Start, long Length)
{
    /// <summary>The last byte's offset.</summary>
    public long End => Start + Length - 1;

    /// <summary>What a <c>Range</c> header asks of a resource.</summary>
    public enum Outcome
    {
        /// <summary>No range, or several: send everything.</summary>
        Whole,

        /// <summary>One satisfiable range: send it with 206.</summary>
        Partial,

        /// <summary>Malformed or unsatisfiable: 416.</summary>
        Unsatisfiable,
    }

    /// <summary>Resolves <paramref name="header"/> (the <c>Range</c> value, possibly empty) against <paramref name="size"/>.</summary>
    public static Outcome Resolve(string? header, long size, out ByteRange range)
    {
        range = new ByteRange(0, size);
        if (string.IsNullOrWhiteSpace(header))
        {
            return Outcome.Whole;
        }

        var text = header.Trim();
        if (!text.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return Outcome.Unsatisfiable;
        }

        var spec = text["bytes=".Length..];
        if (spec.Contains(','))
        {
            return spec.Split(',').All(part => Parse(part.Trim(), size, out _) == Outcome.Partial) ? Outcome.Whole : Outcome.Unsatisfiable;
        }

        return Parse(spec.Trim(), size, out range);
    }

    private static Outcome Parse(string spec, long size, out ByteRange range)
    {
        range = default;
        var dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return Outcome.Unsatisfiable;
        }

        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix: the last N bytes.
            if (!TryNumber(last, out var suffix) || suffix == 0 || size == 0)
            {
                return Outcome.Unsatisfiable;
            }

            var length = Math.Min(suffix, size);
            range = new ByteRange(size - length, length);
            return Outcome.Partial;
        }

        if (!TryNumber(first, out var start) || start >= size)
        {
            return Outcome.Unsatisfiable;
        }

        long end;
        if (last.Length == 0)
        {
            end = size - 1;
        }
        else if (!TryNumber(last, out end) || end < start)
        {
            return Outcome.Unsatisfiable;
        }

        end = Math.Min(end, size - 1);
        range = new ByteRange(start, end - start + 1);
        return Outcome.Partial;
    }

    private static bool TryNumber(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
