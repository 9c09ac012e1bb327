/* PulseMQ — compressor throughput, ours beside the bare library call
 *
 *   bench-compress [SECONDS-PER-CASE]
 *
 * The payloads are what a publisher sends: about 1 MiB of market ticks as
 * msgpack (an array of maps, as the original writes a list of dicts) and
 * as JSON lines, plus a 1 KiB msgpack batch, where the per-call cost
 * (contexts, allocations) shows. Every case runs for a fixed time and
 * reports MB/s of uncompressed data (10^6 bytes), so pulse_compress() and
 * the library function it wraps can be compared on the same input in the
 * same run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <msgpack.h>
#include <snappy-c.h>
#include <zstd.h>

#include <pulsemq/pulsemq.h>

static gdouble seconds_per_case = 0.5;

/* ---- payloads ----------------------------------------------------------- */

static const gchar *const symbols[] = { "600000", "600519", "000001", "300750", "601318", "000858",
  "002594", "688981" };

static void
pack_str (msgpack_packer *pk, const gchar *s)
{
  gsize n = strlen (s);

  msgpack_pack_str (pk, n);
  msgpack_pack_str_body (pk, s, n);
}

static GBytes *
ticks_msgpack (guint rows)
{
  msgpack_sbuffer sbuf;
  msgpack_packer pk;
  GRand *rand = g_rand_new_with_seed (1);
  gdouble price[G_N_ELEMENTS (symbols)];
  gint64 ts = G_GINT64_CONSTANT (1700000000000000000);
  GBytes *bytes;

  for (gsize i = 0; i < G_N_ELEMENTS (symbols); i++)
    price[i] = 10.0 + 5.0 * i;
  msgpack_sbuffer_init (&sbuf);
  msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
  msgpack_pack_array (&pk, rows);
  for (guint r = 0; r < rows; r++) {
    guint s = g_rand_int_range (rand, 0, G_N_ELEMENTS (symbols));

    price[s] = MAX (0.01, price[s] + 0.01 * g_rand_int_range (rand, -3, 4));
    ts += g_rand_int_range (rand, 1000, 3000000);
    msgpack_pack_map (&pk, 7);
    pack_str (&pk, "symbol");
    pack_str (&pk, symbols[s]);
    pack_str (&pk, "ts");
    msgpack_pack_int64 (&pk, ts);
    pack_str (&pk, "price");
    msgpack_pack_double (&pk, price[s]);
    pack_str (&pk, "volume");
    msgpack_pack_uint32 (&pk, 100 * g_rand_int_range (rand, 1, 500));
    pack_str (&pk, "bid");
    msgpack_pack_double (&pk, price[s] - 0.01);
    pack_str (&pk, "ask");
    msgpack_pack_double (&pk, price[s] + 0.01);
    pack_str (&pk, "side");
    pack_str (&pk, g_rand_boolean (rand) ? "B" : "S");
  }
  bytes = g_bytes_new (sbuf.data, sbuf.size);
  msgpack_sbuffer_destroy (&sbuf);
  g_rand_free (rand);
  return bytes;
}

static GBytes *
ticks_json (gsize size)
{
  GString *s = g_string_sized_new (size + 256);
  GRand *rand = g_rand_new_with_seed (2);
  gdouble price[G_N_ELEMENTS (symbols)];
  gint64 ts = G_GINT64_CONSTANT (1700000000000000000);

  for (gsize i = 0; i < G_N_ELEMENTS (symbols); i++)
    price[i] = 10.0 + 5.0 * i;
  while (s->len < size) {
    guint k = g_rand_int_range (rand, 0, G_N_ELEMENTS (symbols));

    price[k] = MAX (0.01, price[k] + 0.01 * g_rand_int_range (rand, -3, 4));
    ts += g_rand_int_range (rand, 1000, 3000000);
    g_string_append_printf (s,
        "{\"symbol\":\"%s\",\"ts\":%" G_GINT64_FORMAT ",\"price\":%.2f,\"volume\":%d,"
        "\"bid\":%.2f,\"ask\":%.2f,\"side\":\"%s\"}\n",
        symbols[k], ts, price[k], 100 * g_rand_int_range (rand, 1, 500), price[k] - 0.01,
        price[k] + 0.01, g_rand_boolean (rand) ? "B" : "S");
  }
  g_rand_free (rand);
  return g_string_free_to_bytes (s);
}

/* ---- the bare library calls ---------------------------------------------- */

typedef gsize (*RawFunc) (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level);

static gsize
raw_lz4_compress (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level)
{
  LZ4F_preferences_t prefs;

  memset (&prefs, 0, sizeof prefs);
  prefs.frameInfo.contentSize = len;
  prefs.compressionLevel = level;
  return LZ4F_compressFrame (dst, cap, src, len, &prefs);
}

static gsize
raw_lz4_decompress (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level)
{
  static LZ4F_dctx *dctx;
  size_t out = cap, in = len;

  if (dctx == NULL)
    LZ4F_createDecompressionContext (&dctx, LZ4F_VERSION);
  LZ4F_resetDecompressionContext (dctx);
  LZ4F_decompress (dctx, dst, &out, src, &in, NULL);
  return out;
}

static gsize
raw_zstd_compress (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level)
{
  return ZSTD_compress (dst, cap, src, len, level);
}

static gsize
raw_zstd_decompress (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level)
{
  return ZSTD_decompress (dst, cap, src, len);
}

static gsize
raw_snappy_compress (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level)
{
  size_t out = cap;

  snappy_compress ((const char *) src, len, (char *) dst, &out);
  return out;
}

static gsize
raw_snappy_decompress (const guint8 *src, gsize len, guint8 *dst, gsize cap, gint level)
{
  size_t out = cap;

  snappy_uncompress ((const char *) src, len, (char *) dst, &out);
  return out;
}

/* ---- timing -------------------------------------------------------------- */

/* Runs one case until seconds_per_case have passed; returns MB/s of the
 * uncompressed size. */
static gdouble
time_pulse (PulseCompression c, gboolean compress, GBytes *input, gsize raw_size, gint level)
{
  gint64 start = g_get_monotonic_time (), now;
  guint64 iterations = 0;

  do {
    for (gint i = 0; i < 8; i++) {
      GBytes *out = compress
          ? pulse_compress (c, input, level, NULL)
          : pulse_decompress (c, input, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE, NULL);
      g_assert_nonnull (out);
      g_bytes_unref (out);
    }
    iterations += 8;
    now = g_get_monotonic_time ();
  } while (now - start < seconds_per_case * G_USEC_PER_SEC);
  return (gdouble) raw_size * iterations / ((now - start) / (gdouble) G_USEC_PER_SEC) / 1e6;
}

/* the bare call gets its output buffer allocated once, outside the loop:
 * the best case a caller of the library alone could reach */
static gdouble
time_raw (RawFunc func, GBytes *input, gsize raw_size, gsize cap, gint level)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (input, &len);
  guint8 *dst = g_malloc (cap);
  gint64 start = g_get_monotonic_time (), now;
  guint64 iterations = 0;

  do {
    for (gint i = 0; i < 8; i++)
      g_assert_cmpuint (func (src, len, dst, cap, level), >, 0);
    iterations += 8;
    now = g_get_monotonic_time ();
  } while (now - start < seconds_per_case * G_USEC_PER_SEC);
  g_free (dst);
  return (gdouble) raw_size * iterations / ((now - start) / (gdouble) G_USEC_PER_SEC) / 1e6;
}

static void
bench (const gchar *payload_name, GBytes *payload)
{
  static const struct {
    PulseCompression compression;
    gint level;
    RawFunc raw_compress;
    RawFunc raw_decompress;
  } cases[] = {
    { PULSE_COMPRESSION_LZ4, 0, raw_lz4_compress, raw_lz4_decompress },
    { PULSE_COMPRESSION_ZSTD, 3, raw_zstd_compress, raw_zstd_decompress },
    { PULSE_COMPRESSION_SNAPPY, 0, raw_snappy_compress, raw_snappy_decompress },
  };
  gsize size = g_bytes_get_size (payload);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    PulseCompression c = cases[i].compression;
    g_autoptr (GBytes) packed = pulse_compress (c, payload, cases[i].level, NULL);
    gsize bound = MAX (ZSTD_compressBound (size), LZ4F_compressFrameBound (size, NULL));
    gdouble pc, rc, pd, rd;

    bound = MAX (bound, snappy_max_compressed_length (size)) + 1024;
    pc = time_pulse (c, TRUE, payload, size, cases[i].level);
    rc = time_raw (cases[i].raw_compress, payload, size, bound, cases[i].level);
    pd = time_pulse (c, FALSE, packed, size, cases[i].level);
    rd = time_raw (cases[i].raw_decompress, packed, size, size, cases[i].level);
    printf ("%-14s %9zu  %-6s %2d  %6.2f  %8.0f %8.0f %5.0f%%  %8.0f %8.0f %5.0f%%\n", payload_name,
        size, pulse_compression_get_nick (c), cases[i].level,
        (gdouble) size / g_bytes_get_size (packed), pc, rc, 100.0 * pc / rc, pd, rd,
        100.0 * pd / rd);
    fflush (stdout);
  }
}

int
main (int argc, char *argv[])
{
  g_autoptr (GBytes) msgpack_1m = ticks_msgpack (13000);
  g_autoptr (GBytes) json_1m = ticks_json (1024 * 1024);
  g_autoptr (GBytes) msgpack_1k = ticks_msgpack (12);

  if (argc > 1)
    seconds_per_case = g_ascii_strtod (argv[1], NULL);
  printf ("MB/s of uncompressed data (10^6 B/s); pulse = pulse_compress/pulse_decompress, "
          "raw = the library call alone; %% = pulse/raw\n");
  printf ("%-14s %9s  %-6s %2s  %6s  %8s %8s %6s  %8s %8s %6s\n", "payload", "bytes", "codec", "lv",
      "ratio", "c-pulse", "c-raw", "c-%", "d-pulse", "d-raw", "d-%");
  bench ("msgpack-ticks", msgpack_1m);
  bench ("json-lines", json_1m);
  bench ("msgpack-12row", msgpack_1k);
  return 0;
}
