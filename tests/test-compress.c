/* PulseMQ — tests of the lz4, zstd and snappy compressors
 *
 * The golden vectors are what the original's Python libraries wrote; the
 * rest attacks the decoders the way a hostile or broken peer would:
 * forged sizes, truncation at every byte, bit flips, trailing data. Every
 * one must end in a GError, never a crash, a leak or a huge allocation.
 * Frames without a content size, which our encoder never writes but other
 * peers may, are made here by rewriting the header of one of ours.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <pulsemq/pulsemq.h>

#define KiB ((gsize) 1024)
#define MiB (1024 * KiB)
#define SMALL_MAX (1 * MiB)

static const PulseCompression codecs[] = {
  PULSE_COMPRESSION_LZ4,
  PULSE_COMPRESSION_ZSTD,
  PULSE_COMPRESSION_SNAPPY,
};

/* ---- helpers ------------------------------------------------------------ */

static GBytes *
from_hex (const gchar *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *data = g_malloc (n + 1);

  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 |
        g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_bytes_new_take (data, n);
}

/* market-data-like text: compressible, but not trivially */
static GBytes *
make_ticks (gsize size)
{
  GString *s = g_string_sized_new (size + 128);
  GRand *rand = g_rand_new_with_seed (42);
  gdouble price = 10.5;

  while (s->len < size) {
    price += g_rand_double_range (rand, -0.05, 0.05);
    g_string_append_printf (s, "{\"symbol\":\"6%05d\",\"price\":%.2f,\"volume\":%u}\n",
        g_rand_int_range (rand, 0, 40), price, g_rand_int_range (rand, 1, 100000));
  }
  g_string_truncate (s, size);
  g_rand_free (rand);
  return g_string_free_to_bytes (s);
}

static GBytes *
make_random (gsize size, guint32 seed)
{
  guint8 *data = g_malloc (MAX (size, 1));
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

static GBytes *
concat (GBytes *a, const void *b, gsize b_len)
{
  gsize a_len;
  const guint8 *a_data = g_bytes_get_data (a, &a_len);
  guint8 *out = g_malloc (a_len + b_len + 1);

  if (a_len > 0)
    memcpy (out, a_data, a_len);
  if (b_len > 0)
    memcpy (out + a_len, b, b_len);
  return g_bytes_new_take (out, a_len + b_len);
}

static void
assert_round_trip (PulseCompression c, GBytes *data, gint level)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) packed = pulse_compress (c, data, level, &error);
  g_autoptr (GBytes) unpacked = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (packed);
  unpacked = pulse_decompress (c, packed, g_bytes_get_size (data), &error);
  g_assert_no_error (error);
  g_assert_nonnull (unpacked);
  g_assert_true (g_bytes_equal (data, unpacked));
}

static void
assert_decodes_to (PulseCompression c, const gchar *frame_hex, const gchar *want_hex)
{
  g_autoptr (GBytes) frame = from_hex (frame_hex);
  g_autoptr (GBytes) want = from_hex (want_hex);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = pulse_decompress (c, frame, SMALL_MAX, &error);

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, want));
}

static void
assert_fails (PulseCompression c, GBytes *frame, gsize max_size, gint code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = pulse_decompress (c, frame, max_size, &error);

  g_assert_null (got);
  g_assert_error (error, PULSE_STREAM_ERROR, code);
  /* every message names its codec; none of these inputs may get as far
   * as an allocation that fails */
  g_assert_true (g_str_has_prefix (error->message, pulse_compression_get_nick (c)));
  g_assert_null (strstr (error->message, "out of memory"));
}

/* XXH32 of a short buffer, for the LZ4 frame header checksum: only the
 * tail rounds, which is all a header of at most 15 bytes needs */
static guint32
xxh32_short (const guint8 *p, gsize len)
{
  const guint32 p1 = 2654435761u, p2 = 2246822519u, p3 = 3266489917u, p4 = 668265263u,
                p5 = 374761393u;
  guint32 h = p5 + (guint32) len;
  gsize i = 0;

  g_assert_cmpuint (len, <, 16);
  for (; i + 4 <= len; i += 4) {
    guint32 v = (guint32) p[i] | (guint32) p[i + 1] << 8 | (guint32) p[i + 2] << 16 |
        (guint32) p[i + 3] << 24;
    h += v * p3;
    h = ((h << 17) | (h >> 15)) * p4;
  }
  for (; i < len; i++) {
    h += p[i] * p5;
    h = ((h << 11) | (h >> 21)) * p1;
  }
  h ^= h >> 15;
  h *= p2;
  h ^= h >> 13;
  h *= p3;
  h ^= h >> 16;
  return h;
}

/* an LZ4 frame header: FLG, BD, the content size if any, HC */
static GByteArray *
lz4_header (guint8 flg, gboolean with_size, guint64 size)
{
  GByteArray *a = g_byte_array_new ();
  static const guint8 magic[] = { 0x04, 0x22, 0x4d, 0x18 };
  guint8 desc[10];
  gsize n = 0;
  guint8 hc;

  desc[n++] = with_size ? (flg | 0x08) : (flg & ~0x08);
  desc[n++] = 0x40;
  if (with_size)
    for (gint i = 0; i < 8; i++)
      desc[n++] = (guint8) (size >> (8 * i));
  hc = (guint8) (xxh32_short (desc, n) >> 8);
  g_byte_array_append (a, magic, 4);
  g_byte_array_append (a, desc, n);
  g_byte_array_append (a, &hc, 1);
  return a;
}

/* one of our frames with the content size taken out of its header */
static GBytes *
lz4_strip_size (GBytes *frame)
{
  gsize len;
  const guint8 *f = g_bytes_get_data (frame, &len);
  GByteArray *a;

  /* an empty input has no size to store: LZ4F writes 0 as "unknown" */
  if (!(f[4] & 0x08))
    return g_bytes_ref (frame);
  g_assert_cmpuint (len, >=, 15);
  a = lz4_header (f[4], FALSE, 0);
  g_byte_array_append (a, f + 15, len - 15);
  return g_byte_array_free_to_bytes (a);
}

/* one of our zstd frames with the content size taken out of its header:
 * a window descriptor replaces the single-segment flag */
static GBytes *
zstd_strip_size (GBytes *frame, gsize content_size)
{
  static const gsize did_size[] = { 0, 1, 2, 4 };
  gsize len;
  const guint8 *f = g_bytes_get_data (frame, &len);
  guint8 fhd = f[4];
  gboolean single = (fhd >> 5) & 1;
  gsize fcs_size = (fhd >> 6) == 0 ? (single ? 1 : 0) : (gsize) 1 << (fhd >> 6);
  gsize header = 5 + (single ? 0 : 1) + did_size[fhd & 3] + fcs_size;
  GByteArray *a = g_byte_array_new ();
  guint8 new_fhd = fhd & 0x04; /* keep the checksum flag only */
  guint8 window = 0;

  while (((gsize) 1 << (10 + window)) < content_size)
    window++;
  window <<= 3;
  g_byte_array_append (a, f, 4);
  g_byte_array_append (a, &new_fhd, 1);
  g_byte_array_append (a, &window, 1);
  g_byte_array_append (a, f + header, len - header);
  return g_byte_array_free_to_bytes (a);
}

/* ---- golden vectors (§1.11) ---------------------------------------------- */

static void
test_golden (void)
{
  /* ['a','b','c'] in msgpack, as the original compressed it */
  assert_decodes_to (PULSE_COMPRESSION_SNAPPY, "071893a161a162a163", "93a161a162a163");
  assert_decodes_to (PULSE_COMPRESSION_LZ4,
      "04224d1868400700000000000000b00700008093a161a162a16300000000", "93a161a162a163");
  assert_decodes_to (PULSE_COMPRESSION_ZSTD, "28b52ffd200739000093a161a162a163", "93a161a162a163");
  /* [{'seq':1,'v':0.5}], msgpack/lz4 */
  assert_decodes_to (PULSE_COMPRESSION_LZ4,
      "04224d1868401200000000000000d9120000809182a373657101a176cb3fe000000000000000000000",
      "9182a373657101a176cb3fe0000000000000");
  /* [{'i':0},{'i':1}], json/zstd */
  assert_decodes_to (PULSE_COMPRESSION_ZSTD, "28b52ffd20118900005b7b2269223a307d2c7b2269223a317d5d",
      "5b7b2269223a307d2c7b2269223a317d5d");
  /* 'hello' and '' in str/snappy */
  assert_decodes_to (PULSE_COMPRESSION_SNAPPY, "051068656c6c6f", "68656c6c6f");
  assert_decodes_to (PULSE_COMPRESSION_SNAPPY, "00", "");
}

/* What we write for the golden input: the framing Python writes (our
 * bytes may differ from Python's only inside the compressed data). */
static void
test_encoder_framing (void)
{
  g_autoptr (GBytes) abc = from_hex ("93a161a162a163");
  g_autoptr (GBytes) lz4 = pulse_compress (PULSE_COMPRESSION_LZ4, abc, -1, NULL);
  g_autoptr (GBytes) zstd = pulse_compress (PULSE_COMPRESSION_ZSTD, abc, -1, NULL);
  g_autoptr (GBytes) snappy = pulse_compress (PULSE_COMPRESSION_SNAPPY, abc, -1, NULL);
  g_autoptr (GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr (GBytes) hello_snappy = pulse_compress (PULSE_COMPRESSION_SNAPPY, hello, -1, NULL);
  g_autoptr (GBytes)
      want_lz4 = from_hex ("04224d1868400700000000000000b00700008093a161a162a16300000000");
  g_autoptr (GBytes) want_snappy = from_hex ("071893a161a162a163");
  g_autoptr (GBytes) want_hello = from_hex ("051068656c6c6f");
  const guint8 *z;
  gsize zlen;

  /* this input leaves no freedom: byte for byte what Python wrote */
  g_assert_true (g_bytes_equal (lz4, want_lz4));
  g_assert_true (g_bytes_equal (snappy, want_snappy));
  g_assert_true (g_bytes_equal (hello_snappy, want_hello));
  /* zstd: the magic, then a header with the content size */
  z = g_bytes_get_data (zstd, &zlen);
  g_assert_cmpuint (zlen, >=, 6);
  g_assert_cmpmem (z, 4, "\x28\xb5\x2f\xfd", 4);
  g_assert_true ((z[4] >> 6) != 0 || (z[4] & 0x20) != 0);
}

/* ---- round trips ---------------------------------------------------------- */

static void
test_round_trip_sizes (void)
{
  static const gsize sizes[] = { 0, 1, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, 4 * MiB };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autoptr (GBytes) ticks = make_ticks (sizes[i]);
    g_autoptr (GBytes) noise = make_random (sizes[i], (guint32) i);

    for (gsize c = 0; c < G_N_ELEMENTS (codecs); c++) {
      assert_round_trip (codecs[c], ticks, -1);
      assert_round_trip (codecs[c], noise, -1);
    }
  }
}

static void
test_round_trip_levels (void)
{
  g_autoptr (GBytes) ticks = make_ticks (200 * KiB);
  g_autoptr (GBytes) noise = make_random (70 * KiB, 7);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bad = NULL;

  for (gint level = 0; level <= 12; level++) {
    assert_round_trip (PULSE_COMPRESSION_LZ4, ticks, level);
    assert_round_trip (PULSE_COMPRESSION_LZ4, noise, level);
  }
  for (gint level = 1; level <= 22; level++) {
    assert_round_trip (PULSE_COMPRESSION_ZSTD, ticks, level);
    assert_round_trip (PULSE_COMPRESSION_ZSTD, noise, level);
  }
  /* snappy has no levels: any is taken */
  assert_round_trip (PULSE_COMPRESSION_SNAPPY, ticks, 5);

  bad = pulse_compress (PULSE_COMPRESSION_LZ4, ticks, 13, &error);
  g_assert_null (bad);
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
  g_clear_error (&error);
  bad = pulse_compress (PULSE_COMPRESSION_ZSTD, ticks, 23, &error);
  g_assert_null (bad);
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE);
}

/* Frames other peers may send: no content size (a streaming writer), and
 * for lz4 linked blocks across a buffer that has to grow. */
static void
test_without_content_size (void)
{
  static const gsize sizes[] = { 0, 1, 64 * KiB + 1, 4 * MiB };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autoptr (GBytes) data = make_ticks (sizes[i]);
    g_autoptr (GBytes) lz4 = pulse_compress (PULSE_COMPRESSION_LZ4, data, -1, NULL);
    g_autoptr (GBytes) zstd = pulse_compress (PULSE_COMPRESSION_ZSTD, data, -1, NULL);
    g_autoptr (GBytes) lz4_bare = lz4_strip_size (lz4);
    g_autoptr (GBytes) zstd_bare = zstd_strip_size (zstd, sizes[i]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) out1 = NULL, out2 = NULL;
    gsize n = sizes[i];

    out1 = pulse_decompress (PULSE_COMPRESSION_LZ4, lz4_bare, MAX (n, 1), &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (out1, data));
    out2 = pulse_decompress (PULSE_COMPRESSION_ZSTD, zstd_bare, MAX (n, 1), &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (out2, data));

    /* the limit holds while the output grows */
    if (n > 0) {
      assert_fails (PULSE_COMPRESSION_LZ4, lz4_bare, n - 1, PULSE_STREAM_ERROR_TOO_LARGE);
      assert_fails (PULSE_COMPRESSION_ZSTD, zstd_bare, n - 1, PULSE_STREAM_ERROR_TOO_LARGE);
    }
  }
}

/* ---- max_size -------------------------------------------------------------- */

static void
test_max_size (void)
{
  static const gsize sizes[] = { 1, 1000, 64 * KiB, 64 * KiB + 1, 300 * KiB };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    g_autoptr (GBytes) data = make_ticks (sizes[i]);

    for (gsize c = 0; c < G_N_ELEMENTS (codecs); c++) {
      g_autoptr (GBytes) packed = pulse_compress (codecs[c], data, -1, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) out = pulse_decompress (codecs[c], packed, sizes[i], &error);

      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (out, data));
      assert_fails (codecs[c], packed, sizes[i] - 1, PULSE_STREAM_ERROR_TOO_LARGE);
    }
  }
}

static GBytes *
forged_lz4 (guint64 claim)
{
  GByteArray *a = lz4_header (0x60, TRUE, claim);
  /* one uncompressed block "abc", then the end mark */
  static const guint8 block[] = { 0x03, 0x00, 0x00, 0x80, 'a', 'b', 'c', 0, 0, 0, 0 };

  g_byte_array_append (a, block, sizeof block);
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
forged_zstd (guint64 claim)
{
  /* FHD 0xc0: an 8-byte content size, a window descriptor; then one raw
   * last block "abc" */
  guint8 f[4 + 1 + 1 + 8 + 3 + 3] = { 0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x00 };

  for (gint i = 0; i < 8; i++)
    f[6 + i] = (guint8) (claim >> (8 * i));
  f[14] = 0x19; /* last, raw, 3 bytes */
  f[15] = 0x00;
  f[16] = 0x00;
  memcpy (f + 17, "abc", 3);
  return g_bytes_new (f, sizeof f);
}

static void
test_forged_sizes (void)
{
  g_autoptr (GBytes) lz4 = forged_lz4 ((guint64) 1 << 40);
  g_autoptr (GBytes) zstd = forged_zstd ((guint64) 1 << 40);
  g_autoptr (GBytes) snappy = from_hex ("ffffffff0f00616263");
  g_autoptr (GBytes) snappy_33bit = from_hex ("808080801000616263");
  g_autoptr (GBytes) lz4_honest = forged_lz4 (3);
  g_autoptr (GBytes) zstd_honest = forged_zstd (3);
  g_autoptr (GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autoptr (GBytes) out = NULL;

  /* the crafted frames are valid when the size is true */
  out = pulse_decompress (PULSE_COMPRESSION_LZ4, lz4_honest, 3, NULL);
  g_assert_true (out != NULL && g_bytes_equal (out, abc));
  g_clear_pointer (&out, g_bytes_unref);
  out = pulse_decompress (PULSE_COMPRESSION_ZSTD, zstd_honest, 3, NULL);
  g_assert_true (out != NULL && g_bytes_equal (out, abc));

  /* refused from the header, with a small limit and with the default one */
  assert_fails (PULSE_COMPRESSION_LZ4, lz4, SMALL_MAX, PULSE_STREAM_ERROR_TOO_LARGE);
  assert_fails (PULSE_COMPRESSION_ZSTD, zstd, SMALL_MAX, PULSE_STREAM_ERROR_TOO_LARGE);
  assert_fails (PULSE_COMPRESSION_SNAPPY, snappy, SMALL_MAX, PULSE_STREAM_ERROR_TOO_LARGE);
  assert_fails (PULSE_COMPRESSION_LZ4, lz4, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE,
      PULSE_STREAM_ERROR_TOO_LARGE);
  assert_fails (PULSE_COMPRESSION_ZSTD, zstd, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE,
      PULSE_STREAM_ERROR_TOO_LARGE);
  assert_fails (PULSE_COMPRESSION_SNAPPY, snappy, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE,
      PULSE_STREAM_ERROR_TOO_LARGE);
  /* a varint past 32 bits is no snappy block at all */
  assert_fails (PULSE_COMPRESSION_SNAPPY, snappy_33bit, G_MAXSIZE, PULSE_STREAM_ERROR_DECODE);

  /* a lie that is smaller than the data, or larger but within the limit */
  for (guint64 claim = 2; claim <= 4; claim += 2) {
    g_autoptr (GBytes) lz4_lie = forged_lz4 (claim);
    g_autoptr (GBytes) zstd_lie = forged_zstd (claim);

    assert_fails (PULSE_COMPRESSION_LZ4, lz4_lie, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
    assert_fails (PULSE_COMPRESSION_ZSTD, zstd_lie, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
  }
}

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

/* A claim within the limit must not be believed either: in a child with
 * its address space capped 64 MiB above what it uses, three frames each
 * claiming 200 MiB under the default 256 MiB limit fail as corrupt data;
 * an allocation of the claimed size would make them fail as out of memory
 * or abort in g_malloc. */
static void
test_forged_size_not_allocated (void)
{
#ifdef HAVE_ASAN
  g_test_skip ("ASan reserves terabytes of address space: RLIMIT_AS cannot be used");
#else
  if (g_test_subprocess ()) {
    gsize claim = 200 * MiB;
    g_autoptr (GBytes) lz4 = forged_lz4 (claim);
    g_autoptr (GBytes) zstd = forged_zstd (claim);
    g_autoptr (GBytes) snappy = from_hex ("8080806400616263");
    g_autofree gchar *statm = NULL;
    unsigned long pages = 0;
    struct rlimit lim;

    g_assert_true (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL));
    pages = strtoul (statm, NULL, 10);
    lim.rlim_cur = lim.rlim_max = pages * (rlim_t) sysconf (_SC_PAGESIZE) + 64 * MiB;
    g_assert_cmpint (setrlimit (RLIMIT_AS, &lim), ==, 0);

    assert_fails (
        PULSE_COMPRESSION_LZ4, lz4, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE, PULSE_STREAM_ERROR_DECODE);
    assert_fails (PULSE_COMPRESSION_ZSTD, zstd, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE,
        PULSE_STREAM_ERROR_DECODE);
    assert_fails (PULSE_COMPRESSION_SNAPPY, snappy, PULSE_DEFAULT_MAX_DECOMPRESSED_SIZE,
        PULSE_STREAM_ERROR_DECODE);
    return;
  }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
#endif
}

/* ---- hostile input ---------------------------------------------------------- */

static void
decompress_quietly (PulseCompression c, GBytes *frame)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = pulse_decompress (c, frame, SMALL_MAX, &error);

  /* without checksums a flipped literal still decodes: only no crash */
  g_assert_true ((out == NULL) != (error == NULL));
  if (out != NULL)
    g_assert_cmpuint (g_bytes_get_size (out), <=, SMALL_MAX);
}

static GBytes *
valid_frames (PulseCompression c, gboolean bare, gsize size)
{
  g_autoptr (GBytes) data = make_ticks (size);
  g_autoptr (GBytes) packed = pulse_compress (c, data, -1, NULL);

  if (!bare)
    return g_steal_pointer (&packed);
  if (c == PULSE_COMPRESSION_LZ4)
    return lz4_strip_size (packed);
  return zstd_strip_size (packed, size);
}

static void
test_truncation (void)
{
  for (gsize c = 0; c < G_N_ELEMENTS (codecs); c++) {
    for (gint bare = 0; bare <= (codecs[c] == PULSE_COMPRESSION_SNAPPY ? 0 : 1); bare++) {
      /* three linked lz4 blocks, several zstd blocks */
      g_autoptr (GBytes) frame = valid_frames (codecs[c], bare, 150 * KiB);
      gsize len;
      const guint8 *data = g_bytes_get_data (frame, &len);

      for (gsize cut = 0; cut < len; cut++) {
        g_autoptr (GBytes) part = g_bytes_new_static (data, cut);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) out = pulse_decompress (codecs[c], part, SMALL_MAX, &error);

        if (out != NULL)
          g_error (
              "%s: %zu of %zu bytes decoded", pulse_compression_get_nick (codecs[c]), cut, len);
        g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE);
      }
    }
  }
}

static void
test_bit_flips (void)
{
  for (gsize c = 0; c < G_N_ELEMENTS (codecs); c++) {
    for (gint bare = 0; bare <= (codecs[c] == PULSE_COMPRESSION_SNAPPY ? 0 : 1); bare++) {
      g_autoptr (GBytes) frame = valid_frames (codecs[c], bare, 3000);
      gsize len;
      const guint8 *data = g_bytes_get_data (frame, &len);
      guint8 *copy = g_memdup2 (data, len);

      for (gsize bit = 0; bit < len * 8; bit++) {
        g_autoptr (GBytes) flipped = NULL;

        copy[bit / 8] ^= (guint8) (1u << (bit % 8));
        flipped = g_bytes_new (copy, len);
        decompress_quietly (codecs[c], flipped);
        copy[bit / 8] ^= (guint8) (1u << (bit % 8));
      }
      g_free (copy);
    }
  }
}

static void
test_trailing_data (void)
{
  for (gsize c = 0; c < G_N_ELEMENTS (codecs); c++) {
    g_autoptr (GBytes) frame = valid_frames (codecs[c], FALSE, 1000);
    g_autoptr (GBytes) garbage = concat (frame, "x", 1);
    g_autoptr (GBytes) zeros = concat (frame, "\0\0\0\0\0\0\0\0", 8);
    g_autoptr (GBytes)
        twice = concat (frame, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));

    assert_fails (codecs[c], garbage, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
    assert_fails (codecs[c], zeros, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
    assert_fails (codecs[c], twice, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
  }
}

static void
test_not_a_frame (void)
{
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr (GBytes) text = g_bytes_new_static ("hello, world", 12);
  /* skippable frames: valid containers, but no payload */
  g_autoptr (GBytes) skip = from_hex ("502a4d180300000061626300");
  g_autoptr (GBytes) lz4_unknown = from_hex ("04224d1800400000000000");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) out = NULL;

  for (gsize c = 0; c < G_N_ELEMENTS (codecs); c++) {
    assert_fails (codecs[c], empty, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
    assert_fails (codecs[c], text, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
  }
  assert_fails (PULSE_COMPRESSION_LZ4, skip, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);
  assert_fails (PULSE_COMPRESSION_ZSTD, skip, SMALL_MAX, PULSE_STREAM_ERROR_DECODE);

  /* the library's own error name is in the message */
  out = pulse_decompress (PULSE_COMPRESSION_LZ4, lz4_unknown, SMALL_MAX, &error);
  g_assert_null (out);
  g_assert_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "lz4: corrupt frame: ERROR_"));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/compress/golden", test_golden);
  g_test_add_func ("/compress/encoder-framing", test_encoder_framing);
  g_test_add_func ("/compress/round-trip/sizes", test_round_trip_sizes);
  g_test_add_func ("/compress/round-trip/levels", test_round_trip_levels);
  g_test_add_func ("/compress/round-trip/without-content-size", test_without_content_size);
  g_test_add_func ("/compress/max-size/limit", test_max_size);
  g_test_add_func ("/compress/max-size/forged", test_forged_sizes);
  g_test_add_func ("/compress/max-size/not-allocated", test_forged_size_not_allocated);
  g_test_add_func ("/compress/hostile/truncation", test_truncation);
  g_test_add_func ("/compress/hostile/bit-flips", test_bit_flips);
  g_test_add_func ("/compress/hostile/trailing-data", test_trailing_data);
  g_test_add_func ("/compress/hostile/not-a-frame", test_not_a_frame);

  return g_test_run ();
}
