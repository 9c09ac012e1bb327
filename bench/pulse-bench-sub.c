/* PulseMQ — pulse-bench's subscriber process
 *
 *   pulse-bench sub --connect ADDRESS [--connect-bare ADDRESS]
 *                   [--latency-from frame|scheduled] [--seq-wrap N] [--stall]
 *                   [--full-check]
 *
 * The same code receives every arm of a scenario, so that differences are
 * the publishers'. It subscribes to the data topic, then to the control
 * topic: a control message seen proves the data subscription is in place
 * (a PUB applies subscriptions in order), so on the first "WARM" it prints
 * READY. Then, for every data message: the four frames are checked, the
 * record count is read from the meta frame, and the msgpack payload is
 * read (without allocating) to check that `seq` goes on from frame to
 * frame: the first record's seq must be the previous frame's first plus
 * its record count (with --full-check every record is walked and checked,
 * which costs the subscriber more than the publisher spends); the frame's latency — now minus frame 3
 * (the publisher's send time), or minus the record's `ts` (its scheduled
 * send time, for the latency scenario) — goes into a log-bucket histogram.
 * "END records frames" on the control topic ends the run: data and control
 * share one socket, so everything sent before it has arrived. It prints
 * one line, DONE key=value …, and exits.
 *
 * With --connect-bare the one socket also connects to a bare publisher
 * that sends on BENCH_BARE_TOPIC: the latency scenario's two arms reach
 * the same socket, I/O thread and process, so a stall of the subscriber
 * delays both alike. It is READY once it has a WARM from each ("WARM
 * pipeline", "WARM bare"), done at the second END, and reports the bare
 * arm's figures beside the pipeline's as b_… keys.
 *
 * With --stall it stops reading once READY: a subscriber that is stuck.
 * It exits when its stdin closes (the publisher went away).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "pulse-bench.h"

#define MAX_DEPTH 16
/* nothing at all for this long: the publisher is gone */
#define IDLE_TIMEOUT_MS (120 * 1000)

/* ---- just enough msgpack to find seq and ts ------------------------------------- */

typedef struct {
  const guint8 *p;
  const guint8 *end;
} Reader;

static gboolean
need (Reader *r, gsize n)
{
  return (gsize) (r->end - r->p) >= n;
}

static guint64
be (const guint8 *p, guint n)
{
  guint64 v = 0;

  for (guint i = 0; i < n; i++)
    v = (v << 8) | p[i];
  return v;
}

/* Reads one header byte and what follows it. For an integer, @value is
 * the integer; for str/bin/ext, @len is the byte length (not skipped);
 * for array/map, @len is the element count. Returns the kind: 'i' int,
 * 's' str, 'b' bin or ext, 'a' array, 'm' map, 'n' other scalar (skipped),
 * 0 on malformed input. */
static gchar
read_head (Reader *r, gint64 *value, guint64 *len)
{
  guint8 c;
  static const guint8 widths[4] = { 1, 2, 4, 8 };

  if (!need (r, 1))
    return 0;
  c = *r->p++;
  if (c <= 0x7f) {
    *value = c;
    return 'i';
  }
  if (c >= 0xe0) {
    *value = (gint8) c;
    return 'i';
  }
  if ((c & 0xf0) == 0x80) {
    *len = c & 0x0f;
    return 'm';
  }
  if ((c & 0xf0) == 0x90) {
    *len = c & 0x0f;
    return 'a';
  }
  if ((c & 0xe0) == 0xa0) {
    *len = c & 0x1f;
    return 's';
  }
  switch (c) {
    case 0xc0:
    case 0xc2:
    case 0xc3: return 'n';
    case 0xca:
    case 0xcb: {
      guint n = c == 0xca ? 4 : 8;
      if (!need (r, n))
        return 0;
      r->p += n;
      return 'n';
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
      guint n = widths[(c - 0xcc) % 4];
      guint64 u;
      if (!need (r, n))
        return 0;
      u = be (r->p, n);
      r->p += n;
      if (c >= 0xd0) /* signed: extend from n bytes */
        *value = n == 8 ? (gint64) u : (gint64) (u << (64 - 8 * n)) >> (64 - 8 * n);
      else
        *value = (gint64) u;
      return 'i';
    }
    case 0xc4:
    case 0xc5:
    case 0xc6:
    case 0xd9:
    case 0xda:
    case 0xdb: {
      guint n = widths[c <= 0xc6 ? c - 0xc4 : c - 0xd9];
      if (!need (r, n))
        return 0;
      *len = be (r->p, n);
      r->p += n;
      return c <= 0xc6 ? 'b' : 's';
    }
    case 0xc7:
    case 0xc8:
    case 0xc9: { /* ext: length, type byte, data */
      guint n = widths[c - 0xc7];
      if (!need (r, n + 1))
        return 0;
      *len = be (r->p, n) + 1;
      r->p += n;
      return 'b';
    }
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8: *len = 1 + (1u << (c - 0xd4)); return 'b';
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
      guint n = c == 0xdc || c == 0xde ? 2 : 4;
      if (!need (r, n))
        return 0;
      *len = be (r->p, n);
      r->p += n;
      return c <= 0xdd ? 'a' : 'm';
    }
    default: return 0;
  }
}

static gboolean
skip (Reader *r, guint depth)
{
  gint64 value;
  guint64 len = 0;
  gchar kind = read_head (r, &value, &len);

  switch (kind) {
    case 'i':
    case 'n': return TRUE;
    case 's':
    case 'b':
      if (!need (r, len))
        return FALSE;
      r->p += len;
      return TRUE;
    case 'a':
    case 'm':
      if (depth >= MAX_DEPTH)
        return FALSE;
      if (kind == 'm')
        len *= 2;
      for (guint64 i = 0; i < len; i++)
        if (!skip (r, depth + 1))
          return FALSE;
      return TRUE;
    default: return FALSE;
  }
}

/* one record, a map: its "seq" and "ts" (-1 when absent) */
static gboolean
read_record (Reader *r, gint64 *seq, gint64 *ts)
{
  gint64 value;
  guint64 len = 0, n;

  *seq = *ts = -1;
  if (read_head (r, &value, &n) != 'm')
    return FALSE;
  for (guint64 i = 0; i < n; i++) {
    const guint8 *key;

    if (read_head (r, &value, &len) != 's' || !need (r, len))
      return FALSE;
    key = r->p;
    r->p += len;
    if (len == 3 && memcmp (key, "seq", 3) == 0) {
      if (read_head (r, seq, &len) != 'i')
        return FALSE;
    } else if (len == 2 && memcmp (key, "ts", 2) == 0) {
      if (read_head (r, ts, &len) != 'i')
        return FALSE;
    } else if (!skip (r, 1)) {
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- the subscriber ------------------------------------------------------------- */

typedef struct {
  BenchLatencyFrom from;
  gboolean full; /* walk every record, not only the first of each frame */
  guint64 seq_wrap;
  guint64 frames;
  guint64 records;
  guint64 missing; /* records skipped over by seq */
  guint64 malformed;
  gint64 next_seq; /* -1 before the first record */
  gint64 first_ns;
  gint64 last_ns;
  BenchHist hist;
} Sub;

/* @n records from @seq on arrived: they must continue the last ones */
static void
note_seq (Sub *sub, gint64 seq, guint64 n)
{
  if (sub->next_seq >= 0 && seq != sub->next_seq) {
    if (seq > sub->next_seq)
      sub->missing += (guint64) (seq - sub->next_seq);
    else
      sub->malformed++; /* back in time: a duplicate or a reordering */
  }
  sub->next_seq = seq + (gint64) n;
  if (sub->seq_wrap > 0)
    sub->next_seq %= (gint64) sub->seq_wrap;
}

/* Walks one payload: its records must continue the seq of the last one */
static gboolean
check_payload (Sub *sub, const guint8 *data, gsize size, guint32 count, gint64 *first_ts)
{
  Reader r = { data, data + size };
  gint64 value;
  guint64 n = 1;
  gchar kind;

  *first_ts = -1;
  if (!need (&r, 1))
    return FALSE;
  /* a list of records, or one record as a map */
  if ((*r.p & 0xf0) == 0x90 || *r.p == 0xdc || *r.p == 0xdd) {
    kind = read_head (&r, &value, &n);
    if (kind != 'a')
      return FALSE;
  }
  if (n != count)
    return FALSE;
  if (!sub->full && n > 0) {
    /* the first record only: ZeroMQ delivers whole messages or none, so
     * a frame's first seq against the previous frame's first + count
     * finds every lost message, at a thousandth of the walk's cost */
    gint64 seq, ts;

    if (!read_record (&r, &seq, &ts) || seq < 0)
      return FALSE;
    *first_ts = ts;
    note_seq (sub, seq, n);
    return TRUE;
  }
  for (guint64 i = 0; i < n; i++) {
    gint64 seq, ts;

    if (!read_record (&r, &seq, &ts) || seq < 0)
      return FALSE;
    if (i == 0)
      *first_ts = ts;
    note_seq (sub, seq, 1);
  }
  return r.p == r.end;
}

static void
on_data (Sub *sub, zmq_msg_t *parts, guint n_parts, gint64 now)
{
  const guint8 *meta, *ts;
  guint32 count;
  gint64 sent_ns, first_ts;

  if (n_parts != 4 || zmq_msg_size (&parts[1]) != 6 || zmq_msg_size (&parts[2]) != 8) {
    sub->malformed++;
    return;
  }
  meta = zmq_msg_data (&parts[1]);
  ts = zmq_msg_data (&parts[2]);
  count = (guint32) be (meta + 2, 4);
  sent_ns = (gint64) be (ts, 8);
  if (meta[0] != 0x01 || (meta[1] & 0x1f) != 0x00) { /* DATA, msgpack, no compression */
    sub->malformed++;
    return;
  }
  if (!check_payload (sub, zmq_msg_data (&parts[3]), zmq_msg_size (&parts[3]), count, &first_ts))
    sub->malformed++;
  if (sub->frames == 0)
    sub->first_ns = now;
  sub->last_ns = now;
  sub->frames++;
  sub->records += count;
  if (sub->from == BENCH_LATENCY_FROM_SCHEDULED && first_ts > 0)
    bench_hist_record (&sub->hist, now - first_ts);
  else
    bench_hist_record (&sub->hist, now - sent_ns);
}

static guint64
lost_of (Sub *sub, guint64 expected)
{
  return MAX (expected > sub->records ? expected - sub->records : 0, sub->missing);
}

/* @b: the bare arm of a paired latency run, or NULL */
static void
report (Sub *sub, Sub *b, guint64 expected)
{
  guint64 lost = lost_of (sub, expected);
  g_autofree gchar *hist = bench_hist_to_string (&sub->hist);

  if (b != NULL) {
    g_autofree gchar *b_hist = bench_hist_to_string (&b->hist);

    /* the pipeline's figures as usual, the bare arm's beside them */
    printf ("DONE b_records=%" G_GUINT64_FORMAT " b_lost=%" G_GUINT64_FORMAT
            " b_malformed=%" G_GUINT64_FORMAT " b_max_ns=%" G_GINT64_FORMAT " b_hist=%s",
        b->records, lost_of (b, expected), b->malformed, b->hist.max, b_hist);
  } else {
    printf ("DONE");
  }
  printf (" frames=%" G_GUINT64_FORMAT " records=%" G_GUINT64_FORMAT " lost=%" G_GUINT64_FORMAT
          " malformed=%" G_GUINT64_FORMAT " first_ns=%" G_GINT64_FORMAT " last_ns=%" G_GINT64_FORMAT
          " p50_ns=%" G_GINT64_FORMAT " p90_ns=%" G_GINT64_FORMAT " p99_ns=%" G_GINT64_FORMAT
          " p999_ns=%" G_GINT64_FORMAT " max_ns=%" G_GINT64_FORMAT " hist=%s\n",
      sub->frames, sub->records, lost, sub->malformed, sub->first_ns, sub->last_ns,
      bench_hist_percentile (&sub->hist, 0.50), bench_hist_percentile (&sub->hist, 0.90),
      bench_hist_percentile (&sub->hist, 0.99), bench_hist_percentile (&sub->hist, 0.999),
      sub->hist.max, hist);
  fflush (stdout);
}

/* blocks until the publisher closes our stdin */
static void
wait_for_stdin_eof (void)
{
  gchar buf[64];

  for (;;) {
    gssize n = read (STDIN_FILENO, buf, sizeof buf);

    if (n == 0 || (n < 0 && errno != EINTR))
      return;
  }
}

int
bench_sub_main (int argc, char **argv)
{
  const gchar *address = NULL, *bare_address = NULL;
  gboolean stall = FALSE, ready = FALSE;
  const gint zero = 0;
  void *ctx, *sock;
  Sub *sub = g_new0 (Sub, 1), *b = NULL;
  zmq_msg_t parts[4];
  guint warm = 0, ends = 0; /* paired: WARM of each publisher seen (bits), END seen */
  int ret = 1;

  for (guint i = 0; i < 4; i++)
    zmq_msg_init (&parts[i]);
  sub->next_seq = -1;
  bench_hist_init (&sub->hist);
  for (gint i = 1; i < argc; i++) {
    if (strcmp (argv[i], "--connect") == 0 && i + 1 < argc)
      address = argv[++i];
    else if (strcmp (argv[i], "--connect-bare") == 0 && i + 1 < argc)
      bare_address = argv[++i];
    else if (strcmp (argv[i], "--latency-from") == 0 && i + 1 < argc)
      sub->from = strcmp (argv[++i], "scheduled") == 0 ? BENCH_LATENCY_FROM_SCHEDULED
                                                       : BENCH_LATENCY_FROM_FRAME;
    else if (strcmp (argv[i], "--seq-wrap") == 0 && i + 1 < argc)
      sub->seq_wrap = g_ascii_strtoull (argv[++i], NULL, 10);
    else if (strcmp (argv[i], "--stall") == 0)
      stall = TRUE;
    else if (strcmp (argv[i], "--full-check") == 0)
      sub->full = TRUE;
  }
  if (address == NULL) {
    g_printerr ("usage: pulse-bench sub --connect ADDRESS\n");
    for (guint i = 0; i < 4; i++)
      zmq_msg_close (&parts[i]);
    g_free (sub);
    return 2;
  }
  if (bare_address != NULL) {
    b = g_new0 (Sub, 1);
    *b = *sub;
    bench_hist_init (&b->hist);
  }

  ctx = zmq_ctx_new ();
  sock = zmq_socket (ctx, ZMQ_SUB);
  if (stall) {
    /* stuck for real: ZeroMQ's I/O thread stops reading the socket once
     * a few messages wait, so the kernel's buffers fill and the publisher
     * holds the rest (with RCVHWM 0 it would buffer everything here) */
    const gint one = 1, small = 65536;
    zmq_setsockopt (sock, ZMQ_RCVHWM, &one, sizeof one);
    zmq_setsockopt (sock, ZMQ_RCVBUF, &small, sizeof small);
  } else {
    zmq_setsockopt (sock, ZMQ_RCVHWM, &zero, sizeof zero);
  }
  zmq_setsockopt (sock, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_connect (sock, address) != 0 ||
      (bare_address != NULL && zmq_connect (sock, bare_address) != 0)) {
    g_printerr ("pulse-bench sub: cannot connect: %s\n", zmq_strerror (zmq_errno ()));
    goto out;
  }
  /* data first: a control message then proves both are in place */
  zmq_setsockopt (sock, ZMQ_SUBSCRIBE, BENCH_TOPIC, strlen (BENCH_TOPIC));
  if (b != NULL)
    zmq_setsockopt (sock, ZMQ_SUBSCRIBE, BENCH_BARE_TOPIC, strlen (BENCH_BARE_TOPIC));
  zmq_setsockopt (sock, ZMQ_SUBSCRIBE, BENCH_CTL_TOPIC, strlen (BENCH_CTL_TOPIC));

  for (;;) {
    zmq_pollitem_t items[2] = { { sock, 0, ZMQ_POLLIN, 0 }, { NULL, STDIN_FILENO, ZMQ_POLLIN, 0 } };
    guint n = 0;
    gint more = 1;
    gsize more_size = sizeof more;
    gint64 now;

    if (zmq_poll (items, 2, IDLE_TIMEOUT_MS) <= 0) {
      if (zmq_errno () == EINTR)
        continue;
      g_printerr ("pulse-bench sub: nothing received for %d s\n", IDLE_TIMEOUT_MS / 1000);
      goto out;
    }
    if (items[1].revents & ZMQ_POLLIN)
      goto out; /* the publisher closed our stdin: it gave up on us */
    /* drain what is there before polling again: one poll per burst */
    while (zmq_msg_recv (&parts[0], sock, ZMQ_DONTWAIT) >= 0) {
      now = bench_now_ns ();
      n = 1;
      zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &more_size);
      while (more) {
        zmq_msg_t *part = &parts[MIN (n, 3)];
        if (n >= 4) /* a fifth frame: malformed, keep reading to its end */
          zmq_msg_close (part), zmq_msg_init (part);
        zmq_msg_recv (part, sock, 0);
        n++;
        zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &more_size);
      }
      if (zmq_msg_size (&parts[0]) == strlen (BENCH_CTL_TOPIC) &&
          memcmp (zmq_msg_data (&parts[0]), BENCH_CTL_TOPIC, strlen (BENCH_CTL_TOPIC)) == 0) {
        g_autofree gchar *text = n == 4
            ? g_strndup (zmq_msg_data (&parts[3]), zmq_msg_size (&parts[3]))
            : g_strdup ("");

        /* paired: a WARM from each publisher ("WARM pipeline", "WARM bare") */
        if (b != NULL && g_str_has_prefix (text, "WARM"))
          warm |= g_str_has_suffix (text, "bare") ? 2 : 1;
        if (g_str_has_prefix (text, "WARM") && !ready && (b == NULL || warm == 3)) {
          ready = TRUE;
          printf ("READY\n");
          fflush (stdout);
          if (stall) {
            wait_for_stdin_eof ();
            ret = 0;
            goto out;
          }
        } else if (g_str_has_prefix (text, "END ") && ++ends == (b != NULL ? 2 : 1)) {
          /* each publisher's END comes after all its data */
          report (sub, b, g_ascii_strtoull (text + 4, NULL, 10));
          ret = 0;
          goto out;
        }
      } else if (ready) {
        gboolean bare = b != NULL && zmq_msg_size (&parts[0]) == strlen (BENCH_BARE_TOPIC) &&
            memcmp (zmq_msg_data (&parts[0]), BENCH_BARE_TOPIC, strlen (BENCH_BARE_TOPIC)) == 0;

        on_data (bare ? b : sub, parts, n, now);
      }
    }
  }

out:
  for (guint i = 0; i < 4; i++)
    zmq_msg_close (&parts[i]);
  zmq_close (sock);
  zmq_ctx_term (ctx);
  g_free (sub);
  g_free (b);
  return ret;
}
