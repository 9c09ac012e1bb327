/* PulseMQ — pulse-bench codecs: serializers and compressors beside the
 * bare library calls
 *
 * The input is what ticksrc makes: batches of 1,000 ticks {symbol, price,
 * volume, timestamp_ns, seq}. For each serializer (msgpack, json, arrow)
 * and compressor (none, lz4, zstd, snappy), both directions go through the
 * public API (pulse_serialize() then pulse_compress(); pulse_decompress()
 * then pulse_deserialize()) and, in the same run, through the libraries
 * alone: msgpack-c packing the same columns into a preallocated buffer and
 * msgpack_unpack_next(); LZ4F_compressFrame(), ZSTD_compress(),
 * snappy_compress() and their decompressors. json and arrow are our own
 * code with no library beneath: json and arrow alone have no bare arm, and
 * behind a compressor both arms time the compressor stage only, on the
 * same serialized bytes, pulse_compress() against the bare call.
 *
 * MB/s counts serialized, uncompressed bytes (10^6), the median of ten
 * short slices. The two arms take the slices in pairs, the order swapped
 * every pair, and the ratio is the median of the pairs' ratios: a phase of
 * load on a shared machine lands on both arms of a pair, and the pairs it
 * spoiled do not move the median.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <lz4frame.h>
#include <msgpack.h>
#include <pulsemq/pulsemq.h>
#include <snappy-c.h>
#include <zstd.h>

#include "pulse-bench.h"

#define ROWS 1000
#define SLICES 10

static const gchar *const symbols[] = { "600000", "600036", "601318", "000001", "000002", "600519",
  "300750", "000858" };

typedef struct {
  gchar *symbol_data;
  guint32 *offsets;
  gdouble *price;
  gint64 *volume;
  gint64 *stamp;
  gint64 *seq;
  PulseRecordBatch *batch;
} Ticks;

static void
ticks_init (Ticks *t)
{
  guint64 x = 88172645463325252ull;
  gint64 cents[G_N_ELEMENTS (symbols)];
  gint64 now = bench_now_ns ();
  guint32 pos = 0;

  t->symbol_data = g_malloc (ROWS * 8);
  t->offsets = g_new (guint32, ROWS + 1);
  t->price = g_new (gdouble, ROWS);
  t->volume = g_new (gint64, ROWS);
  t->stamp = g_new (gint64, ROWS);
  t->seq = g_new (gint64, ROWS);
  for (guint k = 0; k < G_N_ELEMENTS (symbols); k++)
    cents[k] = 1000 + 731 * k;

  t->batch = pulse_record_batch_new ();
  pulse_record_batch_add_column (t->batch, "symbol", PULSE_COLUMN_UTF8);
  pulse_record_batch_add_column (t->batch, "price", PULSE_COLUMN_FLOAT64);
  pulse_record_batch_add_column (t->batch, "volume", PULSE_COLUMN_INT64);
  pulse_record_batch_add_column (t->batch, "timestamp_ns", PULSE_COLUMN_TIMESTAMP_NS);
  pulse_record_batch_add_column (t->batch, "seq", PULSE_COLUMN_INT64);
  for (guint i = 0; i < ROWS; i++) {
    guint k;
    gsize len;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    k = (guint) (x % G_N_ELEMENTS (symbols));
    /* a random walk of a few cents, as ticksrc's */
    cents[k] = MAX (1, cents[k] + (gint64) ((x >> 8) % 7) - 3);
    len = strlen (symbols[k]);
    t->offsets[i] = pos;
    memcpy (t->symbol_data + pos, symbols[k], len);
    pos += (guint32) len;
    t->price[i] = cents[k] / 100.0;
    t->volume[i] = 100 * (gint64) (1 + (x >> 20) % 100);
    t->stamp[i] = now + i * 1000;
    t->seq[i] = i;
    pulse_record_batch_append_string (t->batch, 0, symbols[k], (gssize) len);
    pulse_record_batch_append_double (t->batch, 1, t->price[i]);
    pulse_record_batch_append_int64 (t->batch, 2, t->volume[i]);
    pulse_record_batch_append_timestamp (t->batch, 3, t->stamp[i]);
    pulse_record_batch_append_int64 (t->batch, 4, t->seq[i]);
    pulse_record_batch_end_row (t->batch);
  }
  t->offsets[ROWS] = pos;
}

static void
ticks_clear (Ticks *t)
{
  g_free (t->symbol_data);
  g_free (t->offsets);
  g_free (t->price);
  g_free (t->volume);
  g_free (t->stamp);
  g_free (t->seq);
  pulse_record_batch_unref (t->batch);
}

/* ---- the bare calls ------------------------------------------------------------ */

static void
pack_key (msgpack_packer *pk, const gchar *key)
{
  gsize len = strlen (key);

  msgpack_pack_str (pk, len);
  msgpack_pack_str_body (pk, key, len);
}

/* the same bytes as our msgpack serializer: an array of maps in column order */
static gsize
bare_msgpack_pack (const Ticks *t, guint8 *out)
{
  BenchCursor cursor = { out };
  msgpack_packer pk;

  msgpack_packer_init (&pk, &cursor, bench_cursor_write);
  msgpack_pack_array (&pk, ROWS);
  for (guint i = 0; i < ROWS; i++) {
    guint32 len = t->offsets[i + 1] - t->offsets[i];

    msgpack_pack_map (&pk, 5);
    pack_key (&pk, "symbol");
    msgpack_pack_str (&pk, len);
    msgpack_pack_str_body (&pk, t->symbol_data + t->offsets[i], len);
    pack_key (&pk, "price");
    msgpack_pack_double (&pk, t->price[i]);
    pack_key (&pk, "volume");
    msgpack_pack_int64 (&pk, t->volume[i]);
    pack_key (&pk, "timestamp_ns");
    msgpack_pack_int64 (&pk, t->stamp[i]);
    pack_key (&pk, "seq");
    msgpack_pack_int64 (&pk, t->seq[i]);
  }
  return cursor.p - out;
}

typedef struct {
  PulseSerializer serializer;
  PulseCompression compression;
  const Ticks *ticks;
  GBytes *serialized; /* ours, uncompressed */
  GBytes *compressed; /* ours */
  guint8 *scratch;    /* bare outputs */
  gsize scratch_size;
  LZ4F_dctx *dctx;
  gint level;
} Case;

static gsize
bare_compress (Case *c, const guint8 *in, gsize len, guint8 *out, gsize out_size)
{
  switch (c->compression) {
    case PULSE_COMPRESSION_LZ4: return LZ4F_compressFrame (out, out_size, in, len, NULL);
    case PULSE_COMPRESSION_ZSTD: return ZSTD_compress (out, out_size, in, len, c->level);
    case PULSE_COMPRESSION_SNAPPY: {
      size_t n = out_size;
      snappy_compress ((const char *) in, len, (char *) out, &n);
      return n;
    }
    default: return len;
  }
}

static gsize
bare_decompress (Case *c, const guint8 *in, gsize len, guint8 *out, gsize out_size)
{
  switch (c->compression) {
    case PULSE_COMPRESSION_LZ4: {
      size_t dst = out_size, src = len;
      LZ4F_decompress (c->dctx, out, &dst, in, &src, NULL);
      return dst;
    }
    case PULSE_COMPRESSION_ZSTD: return ZSTD_decompress (out, out_size, in, len);
    case PULSE_COMPRESSION_SNAPPY: {
      size_t n = out_size;
      snappy_uncompress ((const char *) in, len, (char *) out, &n);
      return n;
    }
    default: return len;
  }
}

/* ---- one iteration of each arm --------------------------------------------------- */

static volatile gsize sink;

/* json and arrow are our own code with no library beneath: behind a
 * compressor, both arms time the compressor stage alone, on the same
 * serialized bytes (the serializer would be the same code in both arms,
 * and its time only noise around the ratio) */
static gboolean
compressor_only (Case *c)
{
  return c->serializer != PULSE_SERIALIZER_MSGPACK && c->compression != PULSE_COMPRESSION_NONE;
}

static void
ours_encode (Case *c)
{
  g_autoptr (PulseBuffer) buffer = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GBytes) packed = NULL;

  if (compressor_only (c)) {
    packed = pulse_compress (c->compression, c->serialized, c->level, NULL);
  } else {
    buffer = pulse_buffer_new_records (c->ticks->batch);
    bytes = pulse_serialize (c->serializer, buffer, NULL);
    packed = pulse_compress (c->compression, bytes, c->level, NULL);
  }
  sink += g_bytes_get_size (packed);
}

static void
ours_decode (Case *c)
{
  g_autoptr (GBytes) bytes = pulse_decompress (
      c->compression, c->compressed, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE, NULL);
  g_autoptr (PulseBuffer) buffer = NULL;

  if (compressor_only (c)) {
    sink += g_bytes_get_size (bytes);
    return;
  }
  buffer = pulse_deserialize (c->serializer, bytes, NULL);
  sink += pulse_buffer_get_record_count (buffer);
}

static void
bare_encode (Case *c)
{
  gsize half = c->scratch_size / 2;

  if (c->serializer == PULSE_SERIALIZER_MSGPACK) {
    gsize len = bare_msgpack_pack (c->ticks, c->scratch);
    sink += bare_compress (c, c->scratch, len, c->scratch + half, half);
  } else {
    /* the compressor stage alone, as ours_encode() */
    gsize len;
    gconstpointer data = g_bytes_get_data (c->serialized, &len);

    sink += bare_compress (c, data, len, c->scratch, c->scratch_size);
  }
}

static void
bare_decode (Case *c)
{
  gsize len;
  const guint8 *in = g_bytes_get_data (c->compressed, &len);
  gsize plain_len = len;
  const guint8 *plain = in;

  if (c->compression != PULSE_COMPRESSION_NONE) {
    plain_len = bare_decompress (c, in, len, c->scratch, c->scratch_size);
    plain = c->scratch;
  }
  if (compressor_only (c)) {
    sink += plain_len;
  } else if (c->serializer == PULSE_SERIALIZER_MSGPACK) {
    msgpack_unpacked result;
    size_t off = 0;

    msgpack_unpacked_init (&result);
    if (msgpack_unpack_next (&result, (const char *) plain, plain_len, &off) ==
        MSGPACK_UNPACK_SUCCESS)
      sink += result.data.via.array.size;
    msgpack_unpacked_destroy (&result);
  } else {
    g_autoptr (GBytes) bytes = g_bytes_new_static (plain, plain_len);
    g_autoptr (PulseBuffer) buffer = pulse_deserialize (c->serializer, bytes, NULL);

    sink += pulse_buffer_get_record_count (buffer);
  }
}

/* iterations per second of @op over about @seconds */
static gdouble
measure (void (*op) (Case *), Case *c, gdouble seconds)
{
  gint64 start = bench_mono_ns (), until = start + (gint64) (seconds * 1e9), now;
  guint64 n = 0;

  do {
    for (guint i = 0; i < 8; i++)
      op (c);
    n += 8;
    now = bench_mono_ns ();
  } while (now < until);
  return n / ((now - start) / 1e9);
}

static const gchar *
serializer_name (PulseSerializer s)
{
  return s == PULSE_SERIALIZER_MSGPACK ? "msgpack" : s == PULSE_SERIALIZER_JSON ? "json" : "arrow";
}

static const gchar *
compression_name (PulseCompression c)
{
  static const gchar *const names[] = { "none", "snappy", "lz4", "zstd" };
  return names[c];
}

int
bench_codecs (const BenchOptions *opts)
{
  static const PulseSerializer serializers[] = { PULSE_SERIALIZER_MSGPACK, PULSE_SERIALIZER_JSON,
    PULSE_SERIALIZER_ARROW };
  static const PulseCompression compressions[] = { PULSE_COMPRESSION_NONE, PULSE_COMPRESSION_LZ4,
    PULSE_COMPRESSION_ZSTD, PULSE_COMPRESSION_SNAPPY };
  gdouble slice = opts->seconds / SLICES;
  Ticks ticks;

  ticks_init (&ticks);
  printf ("codecs: batches of %d ticks {symbol, price, volume, timestamp_ns, seq}; MB/s of "
          "serialized bytes, %.2f s per arm and case\n",
      ROWS, opts->seconds);
  printf ("  %-16s %-7s %9s %12s %9s %12s %7s\n", "codec", "dir", "bytes", "records/s", "MB/s",
      "raw MB/s", "ratio");
  for (guint s = 0; s < G_N_ELEMENTS (serializers); s++)
    for (guint k = 0; k < G_N_ELEMENTS (compressions); k++) {
      Case c = { serializers[s], compressions[k], &ticks };
      g_autoptr (PulseBuffer) buffer = pulse_buffer_new_records (ticks.batch);
      g_autofree gchar *name = NULL;
      gboolean has_raw = serializers[s] == PULSE_SERIALIZER_MSGPACK ||
          compressions[k] != PULSE_COMPRESSION_NONE;
      gsize size;

      c.level = pulse_compression_get_default_level (c.compression);
      c.serialized = pulse_serialize (c.serializer, buffer, NULL);
      c.compressed = pulse_compress (c.compression, c.serialized, c.level, NULL);
      size = g_bytes_get_size (c.serialized);
      c.scratch_size = 2 *
          (LZ4F_compressFrameBound (size, NULL) + ZSTD_compressBound (size) +
              snappy_max_compressed_length (size) + 65536);
      c.scratch = g_malloc (c.scratch_size);
      LZ4F_createDecompressionContext (&c.dctx, LZ4F_VERSION);
      name = compressions[k] == PULSE_COMPRESSION_NONE
          ? g_strdup (serializer_name (c.serializer))
          : g_strdup_printf (
                "%s+%s", serializer_name (c.serializer), compression_name (c.compression));

      for (guint dir = 0; dir < 2; dir++) {
        void (*ours) (Case *) = dir == 0 ? ours_encode : ours_decode;
        void (*bare) (Case *) = dir == 0 ? bare_encode : bare_decode;
        g_autoptr (GArray) ours_rates = g_array_new (FALSE, FALSE, sizeof (gdouble));
        g_autoptr (GArray) bare_rates = g_array_new (FALSE, FALSE, sizeof (gdouble));
        g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (gdouble));
        g_autofree gchar *raw_text = NULL, *ratio_text = NULL;
        gdouble rate, raw_rate = 0;

        /* short slices in pairs, the order swapped every pair: a phase of
         * a noisy host lands on both arms of a pair, and the median of
         * the pairs' ratios ignores the pairs it spoiled */
        for (guint i = 0; i < SLICES; i++) {
          gdouble o, b = 0;

          if (has_raw && i % 2 == 1)
            b = measure (bare, &c, slice);
          o = measure (ours, &c, slice);
          if (has_raw && i % 2 == 0)
            b = measure (bare, &c, slice);
          g_array_append_val (ours_rates, o);
          if (has_raw) {
            gdouble r = o / b;
            g_array_append_val (bare_rates, b);
            g_array_append_val (ratios, r);
          }
        }
        rate = bench_median (ours_rates);
        if (has_raw)
          raw_rate = bench_median (bare_rates);
        raw_text = has_raw ? g_strdup_printf ("%.1f", raw_rate * size / 1e6) : g_strdup ("-");
        ratio_text = has_raw ? g_strdup_printf ("%.3f", bench_median (ratios)) : g_strdup ("-");
        printf ("  %-16s %-7s %9" G_GSIZE_FORMAT " %12.0f %9.1f %12s %7s\n", name,
            dir == 0 ? "encode" : "decode", size, rate * ROWS, rate * size / 1e6, raw_text,
            ratio_text);
        printf ("RESULT scenario=codecs codec=%s direction=%s bytes=%" G_GSIZE_FORMAT
                " records_per_s=%.0f mb_per_s=%.1f raw_mb_per_s=%s ratio=%s\n",
            name, dir == 0 ? "encode" : "decode", size, rate * ROWS, rate * size / 1e6, raw_text,
            ratio_text);
        fflush (stdout);
      }
      LZ4F_freeDecompressionContext (c.dctx);
      g_free (c.scratch);
      g_bytes_unref (c.serialized);
      g_bytes_unref (c.compressed);
    }
  ticks_clear (&ticks);
  return 0;
}
