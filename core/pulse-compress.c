/* PulseMQ — the lz4, zstd and snappy compressors
 *
 * Each codec writes exactly what the original's Python libraries read and
 * write: an LZ4 frame with its content size (lz4.frame), a single zstd
 * frame with its content size (zstandard.compress/decompress) and a raw
 * Snappy block (snappy.compress/decompress, not the framing format).
 *
 * Decompression reads data from the network, so it trusts nothing in it:
 * a size the data declares is checked against max_size before anything is
 * allocated, and is used for the allocation only as far as the input could
 * really expand to it; past that the output grows as data really arrives,
 * never beyond max_size. Anything after the first frame is refused, since
 * the original decodes one frame and a second one would be silently lost.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <lz4frame.h>
#include <lz4hc.h>
#include <snappy-c.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <pulsemq/pulsemq.h>
#include "pulse-codec-private.h"
#include "pulse-private.h"

#define KiB ((gsize) 1024)
#define MiB (1024 * KiB)

/* A declared content size is believed for the first allocation only up to
 * what the input can expand to: LZ4 cannot exceed 255:1, so an honest
 * frame always gets its exact buffer. zstd has no useful bound (an RLE
 * block turns 4 bytes into 128 KiB), so a modest ratio plus a floor keeps
 * typical payloads in one allocation while a forged header costs little. */
#define LZ4_TRUST_RATIO 256
#define ZSTD_TRUST_RATIO 64
#define TRUST_FLOOR (1 * MiB)
/* the first buffer when the data declares no size */
#define UNKNOWN_SIZE_FLOOR (64 * KiB)
/* results hold on to at most this share of unused capacity */

/* zstd's window is memory the decoder allocates whatever max_size says: a
 * frame without a content size may claim up to 2^27 by default. Allow a
 * window as large as max_size, or 8 MiB (what zstd levels up to 19 use)
 * when max_size is smaller, and never more than zstd's default limit. */
#define ZSTD_WINDOW_LOG_MIN 23
#define ZSTD_WINDOW_LOG_DEFAULT_MAX 27 /* ZSTD_WINDOWLOG_LIMIT_DEFAULT, not in the stable API */

/* ---- the output buffer shared by the lz4 and zstd decoders ---------------- */

typedef struct {
  guint8 *data;
  gsize len;
  gsize cap;
  gsize hint;  /* the size the data declares, or 0 */
  gsize limit; /* max_size */
} OutBuf;

static gsize
initial_capacity (gsize declared, gboolean has_declared, gsize in_len, gsize ratio, gsize limit)
{
  gsize trust = in_len > (G_MAXSIZE - TRUST_FLOOR) / ratio ? G_MAXSIZE
                                                           : in_len * ratio + TRUST_FLOOR;
  gsize cap;

  if (has_declared)
    cap = MIN (declared, trust);
  else
    cap = MAX (in_len > G_MAXSIZE / 4 ? G_MAXSIZE : in_len * 4, UNKNOWN_SIZE_FLOOR);
  return MIN (cap, limit);
}

/* Doubles the capacity, stopping at the declared size once on the way (so
 * that an honest frame ends in an exact buffer) and at the limit. Returns
 * FALSE at the limit or when memory runs out. */
static gboolean
out_buf_grow (OutBuf *buf)
{
  gsize cap = buf->cap < G_MAXSIZE / 2 ? MAX (buf->cap * 2, UNKNOWN_SIZE_FLOOR) : G_MAXSIZE;
  gsize room;
  guint8 *data;

  if (buf->cap >= buf->limit)
    return FALSE;
  if (buf->hint > buf->cap && cap > buf->hint)
    cap = buf->hint;
  cap = MIN (cap, buf->limit);
  data = _pulse_pool_try_realloc (buf->data, buf->len, cap, &room);
  if (data == NULL)
    return FALSE;
  buf->data = data;
  buf->cap = cap;
  return TRUE;
}

/* The first buffer, from the payload pool (a subscriber's frames reuse
 * warm buffers); FALSE when memory runs out. */
static gboolean
out_buf_alloc (OutBuf *buf)
{
  gsize room;

  buf->data = _pulse_pool_try_realloc (NULL, 0, MAX (buf->cap, 1), &room);
  return buf->data != NULL;
}

static void
out_buf_clear (OutBuf *buf)
{
  _pulse_pool_free (buf->data);
  buf->data = NULL;
}

/* Hands the bytes over without a copy; a buffer far larger than them is
 * traded for one of their size (see pulse-payload-pool.c). */
static GBytes *
out_buf_finish (OutBuf *buf)
{
  if (buf->len == 0) {
    out_buf_clear (buf);
    return g_bytes_new (NULL, 0);
  }
  return _pulse_pool_bytes (g_steal_pointer (&buf->data), buf->len);
}

static void
set_too_large (GError **error, const gchar *codec, gsize max_size)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_TOO_LARGE,
      _ ("%s: the data decompresses to more than the limit of %llu bytes"), codec,
      (unsigned long long) max_size);
}

static void
set_declared_too_large (GError **error, const gchar *codec, guint64 declared, gsize max_size)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_TOO_LARGE,
      _ ("%s: the frame declares %llu bytes, more than the limit of %llu bytes"), codec,
      (unsigned long long) declared, (unsigned long long) max_size);
}

static void
set_truncated (GError **error, const gchar *codec)
{
  g_set_error (
      error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("%s: truncated frame"), codec);
}

static void
set_trailing (GError **error, const gchar *codec, gsize n)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
      _ ("%s: %llu bytes of trailing data after the frame"), codec, (unsigned long long) n);
}

static void
set_out_of_memory (GError **error, const gchar *codec, gsize size)
{
  g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
      _ ("%s: out of memory growing the output to %llu bytes"), codec, (unsigned long long) size);
}

/* ---- per-thread library contexts ------------------------------------------ */

/* Making a zstd context costs more than compressing a market tick, and an
 * LZ4F one allocates its block buffers: keep one of each per thread. */
static void
free_lz4_dctx (gpointer dctx)
{
  LZ4F_freeDecompressionContext (dctx);
}

static void
free_zstd_cctx (gpointer cctx)
{
  ZSTD_freeCCtx (cctx);
}

static void
free_zstd_dctx (gpointer dctx)
{
  ZSTD_freeDCtx (dctx);
}

static GPrivate lz4_dctx_key = G_PRIVATE_INIT (free_lz4_dctx);
static GPrivate zstd_cctx_key = G_PRIVATE_INIT (free_zstd_cctx);
static GPrivate zstd_dctx_key = G_PRIVATE_INIT (free_zstd_dctx);

static LZ4F_dctx *
get_lz4_dctx (void)
{
  LZ4F_dctx *dctx = g_private_get (&lz4_dctx_key);

  if (dctx == NULL) {
    if (LZ4F_isError (LZ4F_createDecompressionContext (&dctx, LZ4F_VERSION)))
      return NULL;
    g_private_set (&lz4_dctx_key, dctx);
  } else {
    /* a failed frame may have left it anywhere */
    LZ4F_resetDecompressionContext (dctx);
  }
  return dctx;
}

static ZSTD_CCtx *
get_zstd_cctx (void)
{
  ZSTD_CCtx *cctx = g_private_get (&zstd_cctx_key);

  if (cctx == NULL) {
    cctx = ZSTD_createCCtx ();
    if (cctx != NULL)
      g_private_set (&zstd_cctx_key, cctx);
  } else {
    ZSTD_CCtx_reset (cctx, ZSTD_reset_session_and_parameters);
  }
  return cctx;
}

static ZSTD_DCtx *
get_zstd_dctx (void)
{
  ZSTD_DCtx *dctx = g_private_get (&zstd_dctx_key);

  if (dctx == NULL) {
    dctx = ZSTD_createDCtx ();
    if (dctx != NULL)
      g_private_set (&zstd_dctx_key, dctx);
  } else {
    ZSTD_DCtx_reset (dctx, ZSTD_reset_session_and_parameters);
  }
  return dctx;
}

/* ---- lz4 ------------------------------------------------------------------ */

#define LZ4_SKIPPABLE_MAGIC_MASK 0xFFFFFFF0u
#define LZ4_SKIPPABLE_MAGIC 0x184D2A50u
#define ZSTD_SKIPPABLE_MAGIC_MASK 0xFFFFFFF0u
#define ZSTD_SKIPPABLE_MAGIC 0x184D2A50u

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

GBytes *
_pulse_lz4_compress (GBytes *data, gint level, GError **error)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (data, &len);
  LZ4F_preferences_t prefs;
  gsize room;
  guint8 *out;
  size_t bound, n;

  if (level > LZ4HC_CLEVEL_MAX) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("lz4: level %d is out of range 0-%d"), level, LZ4HC_CLEVEL_MAX);
    return NULL;
  }

  /* Python's lz4.frame.compress defaults: 64 KiB linked blocks, the
   * content size stored, no checksums; LZ4F marks a single block
   * independent, as Python does */
  memset (&prefs, 0, sizeof prefs);
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockLinked;
  prefs.frameInfo.contentSize = len;
  prefs.compressionLevel = level;

  bound = LZ4F_compressFrameBound (len, &prefs);
  out = _pulse_pool_realloc (NULL, 0, bound, &room);
  n = LZ4F_compressFrame (out, bound, src, len, &prefs);
  if (LZ4F_isError (n)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("lz4: compression failed: %s"), LZ4F_getErrorName (n));
    _pulse_pool_free (out);
    return NULL;
  }
  return _pulse_pool_bytes (out, n);
}

GBytes *
_pulse_lz4_decompress (GBytes *data, gsize max_size, GError **error)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (data, &len);
  LZ4F_dctx *dctx = get_lz4_dctx ();
  LZ4F_frameInfo_t info;
  LZ4F_decompressOptions_t opts;
  OutBuf buf = { 0 };
  gsize pos;
  size_t n, hint;

  if (dctx == NULL) {
    set_out_of_memory (error, "lz4", 0);
    return NULL;
  }
  /* LZ4F would skip a skippable frame and report success with nothing
   * decoded: that is not a payload */
  if (len >= 4 && (read_le32 (src) & LZ4_SKIPPABLE_MAGIC_MASK) == LZ4_SKIPPABLE_MAGIC) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("lz4: corrupt frame: a skippable frame instead of data"));
    return NULL;
  }

  /* the header first, to refuse a declared size past the limit before
   * allocating anything */
  if (len < LZ4F_MIN_SIZE_TO_KNOW_HEADER_LENGTH) {
    set_truncated (error, "lz4");
    return NULL;
  }
  n = LZ4F_headerSize (src, len);
  if (LZ4F_isError (n)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("lz4: corrupt frame: %s"),
        LZ4F_getErrorName (n));
    return NULL;
  }
  if (len < n) {
    set_truncated (error, "lz4");
    return NULL;
  }
  pos = len;
  n = LZ4F_getFrameInfo (dctx, &info, src, &pos);
  if (LZ4F_isError (n)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE, _ ("lz4: corrupt frame: %s"),
        LZ4F_getErrorName (n));
    return NULL;
  }
  if (info.contentSize > max_size) {
    set_declared_too_large (error, "lz4", info.contentSize, max_size);
    return NULL;
  }

  buf.hint = (gsize) info.contentSize;
  buf.limit = max_size;
  buf.cap = initial_capacity (buf.hint, info.contentSize != 0, len, LZ4_TRUST_RATIO, max_size);
  if (!out_buf_alloc (&buf)) {
    set_out_of_memory (error, "lz4", buf.cap);
    return NULL;
  }

  /* not stableDst: the buffer moves when it grows, so LZ4F keeps the
   * history that linked blocks refer to in its own memory */
  memset (&opts, 0, sizeof opts);
  hint = n;
  while (hint != 0) {
    size_t in_size = len - pos;
    size_t out_size;

    if (buf.len == buf.cap)
      out_buf_grow (&buf);
    out_size = buf.cap - buf.len;
    hint = LZ4F_decompress (dctx, buf.data + buf.len, &out_size, src + pos, &in_size, &opts);
    if (LZ4F_isError (hint)) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("lz4: corrupt frame: %s"), LZ4F_getErrorName (hint));
      goto fail;
    }
    pos += in_size;
    buf.len += out_size;
    if (hint != 0 && in_size == 0 && out_size == 0) {
      /* no progress: either the input is used up or there is no room */
      if (buf.len < buf.cap)
        set_truncated (error, "lz4");
      else if (buf.cap >= buf.limit)
        set_too_large (error, "lz4", max_size);
      else
        set_out_of_memory (error, "lz4", buf.cap * 2);
      goto fail;
    }
  }
  if (pos < len) {
    set_trailing (error, "lz4", len - pos);
    goto fail;
  }
  return out_buf_finish (&buf);

fail:
  out_buf_clear (&buf);
  return NULL;
}

/* ---- zstd ----------------------------------------------------------------- */

GBytes *
_pulse_zstd_compress (GBytes *data, gint level, GError **error)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (data, &len);
  ZSTD_CCtx *cctx;
  gsize room;
  guint8 *out;
  size_t bound, n;

  if (level > ZSTD_maxCLevel ()) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("zstd: level %d is out of range 1-%d"), level, ZSTD_maxCLevel ());
    return NULL;
  }
  cctx = get_zstd_cctx ();
  if (cctx == NULL) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("zstd: out of memory creating a context"));
    return NULL;
  }
  /* single-shot: the content size goes into the header, which
   * zstandard.decompress() requires; no checksum, as zstandard.compress */
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_checksumFlag, 0);

  bound = ZSTD_compressBound (len);
  out = _pulse_pool_realloc (NULL, 0, bound, &room);
  n = ZSTD_compress2 (cctx, out, bound, src, len);
  if (ZSTD_isError (n)) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("zstd: compression failed: %s"), ZSTD_getErrorName (n));
    _pulse_pool_free (out);
    return NULL;
  }
  return _pulse_pool_bytes (out, n);
}

static gint
window_log_max (gsize max_size)
{
  gint log = ZSTD_WINDOW_LOG_MIN;

  while (log < ZSTD_WINDOW_LOG_DEFAULT_MAX && ((gsize) 1 << log) < max_size)
    log++;
  return log;
}

GBytes *
_pulse_zstd_decompress (GBytes *data, gsize max_size, GError **error)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (data, &len);
  unsigned long long declared;
  ZSTD_DCtx *dctx;
  ZSTD_inBuffer in;
  OutBuf buf = { 0 };
  size_t frame_size, ret;

  if (len >= 4 && (read_le32 (src) & ZSTD_SKIPPABLE_MAGIC_MASK) == ZSTD_SKIPPABLE_MAGIC) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("zstd: corrupt frame: a skippable frame instead of data"));
    return NULL;
  }

  /* the header first, to refuse a declared size past the limit before
   * allocating anything */
  declared = ZSTD_getFrameContentSize (src, len);
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    /* a bad magic or a short header: the frame walk tells which */
    frame_size = ZSTD_findFrameCompressedSize (src, len);
    if (len < 4 || ZSTD_getErrorCode (frame_size) == ZSTD_error_srcSize_wrong)
      set_truncated (error, "zstd");
    else
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("zstd: corrupt frame: %s"),
          ZSTD_isError (frame_size) ? ZSTD_getErrorName (frame_size) : "bad frame header");
    return NULL;
  }
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared > max_size) {
    set_declared_too_large (error, "zstd", declared, max_size);
    return NULL;
  }

  /* walks the block headers only: finds truncation and what follows */
  frame_size = ZSTD_findFrameCompressedSize (src, len);
  if (ZSTD_isError (frame_size)) {
    if (ZSTD_getErrorCode (frame_size) == ZSTD_error_srcSize_wrong)
      set_truncated (error, "zstd");
    else
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("zstd: corrupt frame: %s"), ZSTD_getErrorName (frame_size));
    return NULL;
  }
  if (frame_size < len) {
    set_trailing (error, "zstd", len - frame_size);
    return NULL;
  }

  dctx = get_zstd_dctx ();
  if (dctx == NULL) {
    set_out_of_memory (error, "zstd", 0);
    return NULL;
  }
  ZSTD_DCtx_setParameter (dctx, ZSTD_d_windowLogMax, window_log_max (max_size));

  buf.hint = declared == ZSTD_CONTENTSIZE_UNKNOWN ? 0 : (gsize) declared;
  buf.limit = max_size;
  buf.cap = initial_capacity (
      buf.hint, declared != ZSTD_CONTENTSIZE_UNKNOWN, len, ZSTD_TRUST_RATIO, max_size);
  if (!out_buf_alloc (&buf)) {
    set_out_of_memory (error, "zstd", buf.cap);
    return NULL;
  }

  /* the declared size was believed in full: one pass straight into the
   * buffer, which measured faster than the streaming decoder */
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && buf.cap == buf.hint) {
    ret = ZSTD_decompressDCtx (dctx, buf.data, buf.cap, src, len);
    if (ZSTD_isError (ret)) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("zstd: corrupt frame: %s"), ZSTD_getErrorName (ret));
      goto fail;
    }
    /* zstd checks the size against the header itself: belt and braces */
    if (ret != declared) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("zstd: corrupt frame: %llu bytes where the header declares %llu"),
          (unsigned long long) ret, declared);
      goto fail;
    }
    buf.len = ret;
    return out_buf_finish (&buf);
  }

  /* otherwise the streaming decoder, into a buffer that grows as data
   * really arrives */
  in.src = src;
  in.size = len;
  in.pos = 0;
  do {
    ZSTD_outBuffer out;
    gsize in_before = in.pos;

    if (buf.len == buf.cap)
      out_buf_grow (&buf);
    out.dst = buf.data;
    out.size = buf.cap;
    out.pos = buf.len;
    ret = ZSTD_decompressStream (dctx, &out, &in);
    if (ZSTD_isError (ret)) {
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
          _ ("zstd: corrupt frame: %s"), ZSTD_getErrorName (ret));
      goto fail;
    }
    if (ret != 0 && in.pos == in_before && out.pos == buf.len) {
      /* no progress: either the input is used up or there is no room */
      if (out.pos < out.size)
        set_truncated (error, "zstd");
      else if (buf.cap >= buf.limit)
        set_too_large (error, "zstd", max_size);
      else
        set_out_of_memory (error, "zstd", buf.cap * 2);
      goto fail;
    }
    buf.len = out.pos;
  } while (ret != 0);
  if (in.pos < len) {
    set_trailing (error, "zstd", len - in.pos);
    goto fail;
  }
  return out_buf_finish (&buf);

fail:
  out_buf_clear (&buf);
  return NULL;
}

/* ---- snappy --------------------------------------------------------------- */

/* The densest Snappy element is a 3-byte copy of 64 bytes: no valid block
 * expands more than 64:3, so a larger claim is refused before allocating
 * even when it is within max_size. */
#define SNAPPY_MAX_RATIO_NUM 64
#define SNAPPY_MAX_RATIO_DEN 3

GBytes *
_pulse_snappy_compress (GBytes *data, GError **error)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (data, &len);
  gsize room;
  guint8 *out;
  size_t out_len;
  snappy_status status;

  /* the block format stores the length as a 32-bit varint */
  if (len > G_MAXUINT32) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("snappy: %llu bytes is more than a snappy block holds (4 GiB)"),
        (unsigned long long) len);
    return NULL;
  }
  out_len = snappy_max_compressed_length (len);
  out = _pulse_pool_realloc (NULL, 0, out_len, &room);
  status = snappy_compress ((const char *) src, len, (char *) out, &out_len);
  if (status != SNAPPY_OK) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("snappy: compression failed (status %d)"), (int) status);
    _pulse_pool_free (out);
    return NULL;
  }
  return _pulse_pool_bytes (out, out_len);
}

GBytes *
_pulse_snappy_decompress (GBytes *data, gsize max_size, GError **error)
{
  gsize len;
  const guint8 *src = g_bytes_get_data (data, &len);
  OutBuf buf = { 0 };
  size_t declared, out_len;
  snappy_status status;

  status = snappy_uncompressed_length ((const char *) src, len, &declared);
  if (status != SNAPPY_OK) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("snappy: corrupt block: SNAPPY_INVALID_INPUT (bad length varint)"));
    return NULL;
  }
  if (declared > max_size) {
    set_declared_too_large (error, "snappy", declared, max_size);
    return NULL;
  }
  if (declared / SNAPPY_MAX_RATIO_NUM > len / SNAPPY_MAX_RATIO_DEN + 1) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("snappy: corrupt block: %llu bytes cannot hold the %llu it declares"),
        (unsigned long long) len, (unsigned long long) declared);
    return NULL;
  }
  if (declared == 0) {
    /* only the varint itself, 00, is a valid empty block */
    if (len != 1) {
      set_trailing (error, "snappy", len - 1);
      return NULL;
    }
    return g_bytes_new (NULL, 0);
  }

  /* snappy_uncompress checks every element against the output bounds and
   * that the output comes out at exactly the declared length, so a
   * separate snappy_validate_compressed_buffer pass would only cost time */
  buf.cap = declared;
  if (!out_buf_alloc (&buf)) {
    set_out_of_memory (error, "snappy", buf.cap);
    return NULL;
  }
  out_len = buf.cap;
  status = snappy_uncompress ((const char *) src, len, (char *) buf.data, &out_len);
  if (status != SNAPPY_OK || out_len != declared) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_DECODE,
        _ ("snappy: corrupt block: %s"),
        status == SNAPPY_BUFFER_TOO_SMALL ? "SNAPPY_BUFFER_TOO_SMALL" : "SNAPPY_INVALID_INPUT");
    out_buf_clear (&buf);
    return NULL;
  }
  buf.len = out_len;
  return out_buf_finish (&buf);
}
