using System.Globalization;
using System.Text;

namespace Granary.Silo.Sealing;

/// <summary>Durations written as lotus's config and CLI write them (Go's <c>time.Duration</c>): <c>1h30m</c>, <c>45s</c>, <c>2.5s</c>.</summary>
internal static class GoDuration
{
    /// <summary>Parses one or more <c>NUMBER UNIT</c> parts with units <c>h</c>, <c>m</c>, <c>s</c>, <c>ms</c>.</summary>
    /// <exception cref="FormatException">Not such a duration.</exception>
    public static TimeSpan Parse(string text)
    {
        var s = text.Trim();
        if (s.Length == 0)
        {
            throw new FormatException("'' is not a duration such as \"1h\", \"30m\" or \"1h30m\"");
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            if (unitStart == start || !double.TryParse(s[start..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"'{text}' is not a duration such as \"1h\", \"30m\" or \"1h30m\"");
            }

            total += s[unitStart..i] switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                var unit => throw new FormatException($"'{text}': unknown unit '{unit}' (h, m, s, ms)"),
            };
        }

        return total;
    }

    /// <summary>Formats like Go's <c>Duration.String()</c> truncated to 100 ms, as <c>lotus-miner sealing jobs</c> prints times: <c>1h2m3.4s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        var tenths = (long)(duration.Ticks / (TimeSpan.TicksPerMillisecond * 100));
        var hours = tenths / 36000;
        var minutes = tenths / 600 % 60;
        var seconds = tenths % 600 / 10.0;
        var text = new StringBuilder();
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        text.Append(seconds.ToString("0.#", CultureInfo.InvariantCulture)).Append('s');
        return text.ToString();
    }
}
