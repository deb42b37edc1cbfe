// ./bench.sh chain — the devnet's message throughput on SQLite. One JSON object per line; the last is the summary.
// msgs_per_s: signed transfers from many accounts pushed (signature verified, nonce and balance checked, stored as
// pending) and then applied in blocks (executed, receipts and state persisted in one transaction per block).
// epoch_apply_ms_p50: the median time to mine an epoch holding 1,000 such messages (execute + persist).
// Signing is the clients' work and happens before the clock starts.
using System.Diagnostics;
using System.Text.Json;
using Granary.Chain.Devnet;
using Granary.Filecoin.Addresses;
using Granary.Filecoin.Chain;
using Granary.Filecoin.Crypto;
using Granary.Filecoin.Tokens;

var total = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 12_000;
const int Accounts = 100;
const int PerEpoch = 1_000;
const int Epochs = 20;
var root = Directory.CreateTempSubdirectory("granary-bench-chain-").FullName;
try
{
    var keys = Enumerable.Range(0, Accounts).Select(i => Blake2b.Hash256(System.Text.Encoding.ASCII.GetBytes($"bench account {i}"))).ToArray();
    var addresses = keys.Select(k => Secp256k1.AddressOf(k)).ToArray();
    var clock = new ManualDevnetClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    await using var node = DevnetNode.Open(new DevnetOptions
    {
        DatabasePath = Path.Combine(root, "devnet.sqlite"),
        Clock = clock,
        Genesis = [.. keys.Select(k => new GenesisAccount(k, TokenAmount.FromFil(1_000_000)))],
    });
    var nonces = new ulong[Accounts];

    // Clients sign ahead: message i goes from account i % N to the next account.
    SignedMessage[] Sign(int count)
    {
        var messages = new SignedMessage[count];
        var senders = Enumerable.Range(0, count).Select(i => i % Accounts).ToArray();
        var assigned = senders.Select(s => nonces[s]++).ToArray();
        Parallel.For(0, count, i =>
        {
            var from = senders[i];
            var message = new Message(0, addresses[(from + 1) % Accounts], addresses[from], assigned[i], new TokenAmount(1_000), 1_000_000,
                new TokenAmount(1_000), new TokenAmount(100), 0, []);
            messages[i] = SignedMessage.SignSecp256k1(message, keys[from]);
        });
        return messages;
    }

    // Each sender's messages in nonce order; senders in parallel, so signatures are verified on every core.
    async Task Push(SignedMessage[] messages)
    {
        var bySender = messages.GroupBy(m => m.Message.From).Select(g => g.ToList()).ToList();
        await Parallel.ForEachAsync(bySender, async (list, ct) =>
        {
            foreach (var m in list)
            {
                await node.MpoolPush(m, ct);
            }
        });
    }

    async Task<bool> AllLanded(IEnumerable<Granary.Filecoin.Cids.Cid> cids)
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        foreach (var cid in cids)
        {
            try
            {
                await node.StateWaitMsg(cid, 0, cancelled.Token); // answers at once when the message is on chain
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    var throughputMessages = Sign(total);
    var watch = Stopwatch.StartNew();
    await Push(throughputMessages);
    var pushSeconds = watch.Elapsed.TotalSeconds;
    var blocks = 0;
    var lastOfEachSender = throughputMessages.GroupBy(m => m.Message.From).Select(g => g.Last().Cid()).ToList();
    while (!await AllLanded(lastOfEachSender))
    {
        if (++blocks > total)
        {
            throw new InvalidOperationException("messages did not land");
        }

        await clock.AdvanceAsync();
    }

    var seconds = watch.Elapsed.TotalSeconds;
    var applySeconds = seconds - pushSeconds;
    foreach (var m in new[] { throughputMessages[0], throughputMessages[^1] })
    {
        if ((await node.StateWaitMsg(m.Cid(), 0)).Receipt.ExitCode != 0)
        {
            throw new InvalidOperationException("a benchmark transfer failed");
        }
    }

    var msgsPerSecond = total / seconds;
    Emit(new { stage = "push", messages = total, seconds = Math.Round(pushSeconds, 3), msgs_per_s = Math.Round(total / pushSeconds) });
    Emit(new { stage = "apply", messages = total, blocks, seconds = Math.Round(applySeconds, 3), msgs_per_s = Math.Round(total / applySeconds) });
    Emit(new { stage = "throughput", messages = total, seconds = Math.Round(seconds, 3), msgs_per_s = Math.Round(msgsPerSecond) });

    var applyTimes = new List<double>();
    var pushTimes = new List<double>();
    for (var e = 0; e < Epochs; e++)
    {
        var batch = Sign(PerEpoch);
        watch.Restart();
        await Push(batch);
        var pushMs = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        await clock.AdvanceAsync();
        var applyMs = watch.Elapsed.TotalMilliseconds;
        if ((await node.StateWaitMsg(batch[^1].Cid(), 0)).Height != (await node.ChainHead()).Height)
        {
            throw new InvalidOperationException("the epoch did not take all its messages");
        }

        pushTimes.Add(pushMs);
        applyTimes.Add(applyMs);
        Emit(new { stage = "epoch", epoch = e, messages = PerEpoch, push_ms = Math.Round(pushMs, 1), apply_ms = Math.Round(applyMs, 1) });
    }

    Emit(new
    {
        summary = true,
        msgs_per_s = Math.Round(msgsPerSecond),
        push_msgs_per_s = Math.Round(total / pushSeconds),
        apply_msgs_per_s = Math.Round(total / applySeconds),
        epoch_apply_ms_p50 = Math.Round(Median(applyTimes), 1),
        epoch_push_ms_p50 = Math.Round(Median(pushTimes), 1),
        messages = total,
        accounts = Accounts,
        messages_per_epoch = PerEpoch,
        epochs = Epochs,
        target_msgs_per_s = 2_000,
        cores = Environment.ProcessorCount,
    });
}
finally
{
    Directory.Delete(root, recursive: true);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}

static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));
