/* PulseMQ — warm buffers for payloads
 *
 * A serializer or compressor writes each frame into a buffer that ZeroMQ
 * frees once the frame is on the wire. For frames of 100 kB and more,
 * glibc serves them with mmap (or trims its heap after them), so every
 * frame costs fresh zero pages: page faults in the serializer and in
 * ZeroMQ's I/O thread, measured at about five per 1,000-tick frame. The
 * pool keeps the buffers of recent frames and hands them out again, still
 * mapped and warm.
 *
 * Each buffer carries a small header in front of its data, so a payload
 * is one allocation whichever way it is served. Buffers from 16 kB up come
 * in power-of-two classes and go back to the pool when their GBytes is
 * dropped, by whichever thread drops it (often ZeroMQ's I/O thread);
 * smaller ones are plain allocations, shrunk to fit. A payload that came
 * out under a quarter of its buffer (compressed data, often) is moved to
 * a buffer of its size, so a queued payload never holds more than four
 * times its bytes, and usually under twice. The pool keeps at
 * most POOL_MAX_KEPT bytes in all, so it never holds more than that
 * whatever the traffic; past it, a returned buffer is freed. One mutex,
 * taken once per frame, never per record.
 *
 * The interface is a growable buffer (_pulse_pool_realloc(), or
 * _pulse_pool_try_realloc() for sizes a peer declared) that becomes a
 * GBytes (_pulse_pool_bytes()) or is freed (_pulse_pool_free()): the
 * serializers, compressors and decompressors use it for their output, and
 * record batches for column storage of 8 kB and more.
 *
 * Under AddressSanitizer the pool keeps nothing, so that a use after free
 * is still caught.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "pulse-private.h"

#define MIN_SHIFT 14 /* 16 kB */
#define MAX_SHIFT 26 /* 64 MB: larger buffers are not kept */
#define N_CLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define UNPOOLED G_MAXUINT

#if defined(__SANITIZE_ADDRESS__)
#define POOL_MAX_KEPT 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_MAX_KEPT 0
#endif
#endif
#ifndef POOL_MAX_KEPT
#define POOL_MAX_KEPT (8 * 1024 * 1024)
#endif

typedef struct _PulsePayload PulsePayload;

struct _PulsePayload {
  union {
    struct {
      PulsePayload *next; /* in a free list */
      guint size_class;   /* or UNPOOLED */
      gsize capacity;
    };
    max_align_t align; /* the data after the header stays aligned */
  };
};

static struct {
  GMutex lock;
  PulsePayload *free[N_CLASSES];
  gsize kept; /* bytes of data in the free lists */
} pool;

static inline guint8 *
payload_data (PulsePayload *p)
{
  return (guint8 *) (p + 1);
}

static guint
class_for (gsize size)
{
  guint shift = MIN_SHIFT;

  while (((gsize) 1 << shift) < size)
    shift++;
  return shift - MIN_SHIFT;
}

/* A buffer of at least @size bytes, warm from the pool when there is
 * one; NULL only when @may_fail and memory ran out */
static PulsePayload *
payload_new (gsize size, gboolean may_fail)
{
  PulsePayload *p = NULL;
  guint c = UNPOOLED;
  gsize capacity = size;

  if (size >= ((gsize) 1 << MIN_SHIFT) / 2 && size <= ((gsize) 1 << MAX_SHIFT)) {
    c = class_for (size);
    capacity = (gsize) 1 << (MIN_SHIFT + c);
    g_mutex_lock (&pool.lock);
    p = pool.free[c];
    if (p != NULL) {
      pool.free[c] = p->next;
      pool.kept -= capacity;
    }
    g_mutex_unlock (&pool.lock);
  }
  if (p == NULL) {
    if (capacity > G_MAXSIZE - sizeof (PulsePayload)) {
      if (may_fail)
        return NULL;
      g_error ("a payload of %" G_GSIZE_FORMAT " bytes", size);
    }
    p = may_fail ? g_try_malloc (sizeof (PulsePayload) + capacity)
                 : g_malloc (sizeof (PulsePayload) + capacity);
    if (p == NULL)
      return NULL;
    p->size_class = c;
    p->capacity = capacity;
  }
  p->next = NULL;
  return p;
}

static void
payload_release (gpointer data)
{
  PulsePayload *p = data;

  if (p->size_class != UNPOOLED) {
    g_mutex_lock (&pool.lock);
    if (pool.kept + p->capacity <= POOL_MAX_KEPT) {
      p->next = pool.free[p->size_class];
      pool.free[p->size_class] = p;
      pool.kept += p->capacity;
      p = NULL;
    }
    g_mutex_unlock (&pool.lock);
  }
  g_free (p);
}

/* The first @size bytes of @payload as GBytes, without a copy; the
 * buffer goes back to the pool when the last reference goes */
static GBytes *
payload_finish (PulsePayload *payload, gsize size)
{
  g_return_val_if_fail (size <= payload->capacity, NULL);

  if (payload->size_class == UNPOOLED) {
    /* a small buffer is shrunk in place to what was written */
    if (payload->capacity - size > 256) {
      payload = g_realloc (payload, sizeof (PulsePayload) + size);
      payload->capacity = size;
    }
  } else if (size < payload->capacity / 4) {
    /* far smaller than its bound (compressed data, often): moved into a
     * buffer of its own size, so that a queued payload never holds more
     * than four times its bytes */
    PulsePayload *fit;

    fit = payload_new (size, FALSE);
    memcpy (payload_data (fit), payload_data (payload), size);
    payload_release (payload);
    return payload_finish (fit, size);
  }
  return g_bytes_new_with_free_func (payload_data (payload), size, payload_release, payload);
}

static gpointer
pool_realloc (gpointer data, gsize used, gsize size, gsize *capacity, gboolean may_fail)
{
  PulsePayload *old = data != NULL ? (PulsePayload *) data - 1 : NULL;
  PulsePayload *p;

  if (old != NULL && size <= old->capacity) {
    *capacity = old->capacity;
    return data;
  }
  if (old != NULL && old->size_class == UNPOOLED && size < ((gsize) 1 << MIN_SHIFT) / 2) {
    /* small stays small: realloc may grow it in place */
    p = may_fail ? g_try_realloc (old, sizeof (PulsePayload) + size)
                 : g_realloc (old, sizeof (PulsePayload) + size);
    if (p == NULL)
      return NULL;
    p->capacity = *capacity = size;
    return payload_data (p);
  }
  p = payload_new (size, may_fail);
  if (p == NULL)
    return NULL;
  if (old != NULL) {
    g_assert (used <= old->capacity);
    memcpy (payload_data (p), data, used);
    payload_release (old);
  }
  *capacity = p->capacity;
  return payload_data (p);
}

/**
 * _pulse_pool_realloc:
 * @data: (nullable) (transfer full): from an earlier call, or %NULL
 * @used: the bytes of @data to keep
 * @size: the bytes needed
 * @capacity: (out): the bytes the returned buffer holds, at least @size
 *
 * A growable buffer from the same pool, for a record batch's column
 * storage: a batch freed after serializing gives its columns back, and
 * the next batch fills them while they are still mapped. Free it with
 * _pulse_pool_free(), or hand it over with _pulse_pool_bytes().
 *
 * Returns: (transfer full): the buffer, with the first @used bytes of @data
 */
gpointer
_pulse_pool_realloc (gpointer data, gsize used, gsize size, gsize *capacity)
{
  return pool_realloc (data, used, size, capacity, FALSE);
}

/**
 * _pulse_pool_try_realloc:
 * @data: (nullable) (transfer full): from an earlier call, or %NULL
 * @used: the bytes of @data to keep
 * @size: the bytes needed
 * @capacity: (out): the bytes the returned buffer holds
 *
 * As _pulse_pool_realloc(), for sizes a peer declared (a decompressor's
 * output): when memory runs out it returns %NULL and @data is untouched.
 *
 * Returns: (transfer full) (nullable): the buffer, or %NULL
 */
gpointer
_pulse_pool_try_realloc (gpointer data, gsize used, gsize size, gsize *capacity)
{
  return pool_realloc (data, used, size, capacity, TRUE);
}

/**
 * _pulse_pool_bytes:
 * @data: (transfer full): from _pulse_pool_realloc() or _pulse_pool_try_realloc()
 * @size: the bytes written, at most its capacity
 *
 * Returns: (transfer full): the first @size bytes as #GBytes, without a
 *   copy; the buffer goes back to the pool when the last reference goes
 *   (a buffer far larger than @size is first traded for one of its size)
 */
GBytes *
_pulse_pool_bytes (gpointer data, gsize size)
{
  return payload_finish ((PulsePayload *) data - 1, size);
}

/**
 * _pulse_pool_free:
 * @data: (nullable) (transfer full): from _pulse_pool_realloc()
 */
void
_pulse_pool_free (gpointer data)
{
  if (data != NULL)
    payload_release ((PulsePayload *) data - 1);
}
