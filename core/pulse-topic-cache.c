/* PulseMQ — the topic cache and the snapshot service for late joiners
 *
 * Each zmqpub may keep the last frames of its topic, as the original's
 * topic buffer did (a deque of cache_size messages per topic, reported as
 * cache_sizes), and serve them to a subscriber that joins late. PUB cannot
 * address one peer, so the frames are served on a second socket, a ROUTER,
 * the way ZeroMQ's "clone" pattern does: a client asks with one frame, a
 * topic prefix, and gets one multipart reply, frame 0 the decimal count N,
 * then N groups of the 4 protocol frames exactly as they went out on PUB.
 *
 * A cache is a ring of frames bounded in frames and in bytes (the
 * original's 100,000 frames per topic had no byte bound: 100,000 frames of
 * a 1 MB table is 100 GB). It holds a reference to each payload, the same
 * GBytes ZeroMQ sent, so caching copies nothing. The endpoint's owner
 * thread fills the caches after each send, because only it knows the
 * timestamp that went out; a cache has a mutex of its own, taken once per
 * frame. The caches of one endpoint live in one set, so one snapshot
 * socket answers for every topic of the bind.
 *
 * The ROUTER socket belongs to a thread of its own (a ZeroMQ socket is
 * not thread-safe), which polls with a short timeout to notice when it
 * must stop.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <zmq.h>

#include "pulse-private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-snapshot"

/* how often the snapshot thread looks whether it must stop */
#define POLL_MS 100
/* a request is one short frame; more than this is not a client of ours */
#define MAX_REQUEST_PARTS 16
#define MAX_PREFIX_LEN 4096

struct _PulseTopicCache {
  gint ref_count;
  gchar *topic;
  guint max_frames;
  guint64 max_bytes;

  GMutex lock;
  PulseCachedFrame *ring;
  guint capacity; /* grows up to max_frames as frames come */
  guint head;     /* index of the oldest frame */
  guint n_frames;
  guint64 n_bytes;
  guint users; /* zmqpubs sharing it; under the set's lock */
};

struct _PulseTopicCacheSet {
  GMutex lock;
  GHashTable *caches; /* topic → PulseTopicCache (owned reference) */
  gint n_caches;      /* atomic: lets the owner thread skip the lock */
};

struct _PulseSnapshotService {
  PulseTopicCacheSet *set;
  gchar *bind;
  gchar *address;
  gint stopping; /* atomic */

  GMutex lock;
  GCond cond;
  gboolean started;
  GError *start_error;
  GThread *thread;
};

static void
cached_frame_clear (PulseCachedFrame *frame)
{
  g_clear_pointer (&frame->payload, g_bytes_unref);
}

/**
 * _pulse_topic_cache_new:
 * @topic: the topic
 * @max_frames: the most frames kept, at least 1
 * @max_bytes: the most payload bytes kept, or 0 for no bound in bytes
 *
 * Returns: (transfer full): a new empty cache
 */
PulseTopicCache *
_pulse_topic_cache_new (const gchar *topic, guint max_frames, guint64 max_bytes)
{
  PulseTopicCache *cache;

  g_return_val_if_fail (topic != NULL, NULL);
  g_return_val_if_fail (max_frames > 0, NULL);

  cache = g_new0 (PulseTopicCache, 1);
  cache->ref_count = 1;
  cache->topic = g_strdup (topic);
  cache->max_frames = max_frames;
  cache->max_bytes = max_bytes;
  g_mutex_init (&cache->lock);
  return cache;
}

PulseTopicCache *
_pulse_topic_cache_ref (PulseTopicCache *cache)
{
  g_atomic_int_inc (&cache->ref_count);
  return cache;
}

void
_pulse_topic_cache_unref (PulseTopicCache *cache)
{
  if (!g_atomic_int_dec_and_test (&cache->ref_count))
    return;
  for (guint i = 0; i < cache->n_frames; i++)
    cached_frame_clear (&cache->ring[(cache->head + i) % cache->capacity]);
  g_free (cache->ring);
  g_mutex_clear (&cache->lock);
  g_free (cache->topic);
  g_free (cache);
}

const gchar *
_pulse_topic_cache_get_topic (PulseTopicCache *cache)
{
  return cache->topic;
}

/* Drops the oldest frame. Called with the lock held. */
static void
evict_oldest (PulseTopicCache *cache)
{
  PulseCachedFrame *oldest = &cache->ring[cache->head];

  cache->n_bytes -= g_bytes_get_size (oldest->payload);
  cached_frame_clear (oldest);
  cache->head = (cache->head + 1) % cache->capacity;
  cache->n_frames--;
}

/* Makes the ring big enough for one more frame, doubling up to max_frames,
 * so a cache-size of 100000 on a quiet topic costs nothing up front. */
static void
grow (PulseTopicCache *cache)
{
  guint capacity;
  PulseCachedFrame *ring;

  if (cache->n_frames < cache->capacity || cache->capacity == cache->max_frames)
    return;
  capacity = (guint) MIN ((guint64) cache->max_frames, MAX (16, (guint64) cache->capacity * 2));
  ring = g_new0 (PulseCachedFrame, capacity);
  for (guint i = 0; i < cache->n_frames; i++)
    ring[i] = cache->ring[(cache->head + i) % cache->capacity];
  g_free (cache->ring);
  cache->ring = ring;
  cache->capacity = capacity;
  cache->head = 0;
}

/**
 * _pulse_topic_cache_push:
 * @cache: a cache
 * @msg_type: byte 0 of the meta frame
 * @flags: the flags byte
 * @record_count: the record count
 * @timestamp_ns: the timestamp that went out in frame 3
 * @payload: frame 4; the cache takes a reference, no copy
 *
 * Keeps a frame that was sent, evicting the oldest ones until both bounds
 * hold. A frame bigger than the byte bound on its own empties the cache
 * and is not kept: a snapshot always ends at the newest frame sent, with
 * no gap. Thread-safe.
 */
void
_pulse_topic_cache_push (PulseTopicCache *cache, guint8 msg_type, guint8 flags,
    guint32 record_count, gint64 timestamp_ns, GBytes *payload)
{
  gsize size = g_bytes_get_size (payload);
  PulseCachedFrame *slot;

  g_mutex_lock (&cache->lock);
  while (cache->n_frames > 0 &&
      (cache->n_frames >= cache->max_frames ||
          (cache->max_bytes > 0 && cache->n_bytes + size > cache->max_bytes)))
    evict_oldest (cache);
  if (cache->max_bytes > 0 && size > cache->max_bytes) {
    g_mutex_unlock (&cache->lock);
    return;
  }
  grow (cache);
  slot = &cache->ring[(cache->head + cache->n_frames) % cache->capacity];
  slot->msg_type = msg_type;
  slot->flags = flags;
  slot->record_count = record_count;
  slot->timestamp_ns = timestamp_ns;
  slot->payload = g_bytes_ref (payload);
  cache->n_frames++;
  cache->n_bytes += size;
  g_mutex_unlock (&cache->lock);
}

/**
 * _pulse_topic_cache_get_n_frames:
 * @cache: a cache
 *
 * Returns: the frames kept now (the original's cache_size)
 */
guint
_pulse_topic_cache_get_n_frames (PulseTopicCache *cache)
{
  guint n;

  g_mutex_lock (&cache->lock);
  n = cache->n_frames;
  g_mutex_unlock (&cache->lock);
  return n;
}

/**
 * _pulse_topic_cache_get_n_bytes:
 * @cache: a cache
 *
 * Returns: the payload bytes kept now
 */
guint64
_pulse_topic_cache_get_n_bytes (PulseTopicCache *cache)
{
  guint64 n;

  g_mutex_lock (&cache->lock);
  n = cache->n_bytes;
  g_mutex_unlock (&cache->lock);
  return n;
}

/**
 * _pulse_topic_cache_snapshot:
 * @cache: a cache
 *
 * Returns: (transfer full): the frames kept now, oldest first, in a
 * #GArray of #PulseCachedFrame holding payload references; payloads are
 * released with the array
 */
GArray *
_pulse_topic_cache_snapshot (PulseTopicCache *cache)
{
  GArray *frames = g_array_new (FALSE, FALSE, sizeof (PulseCachedFrame));

  g_array_set_clear_func (frames, (GDestroyNotify) cached_frame_clear);
  g_mutex_lock (&cache->lock);
  g_array_set_size (frames, cache->n_frames);
  for (guint i = 0; i < cache->n_frames; i++) {
    PulseCachedFrame *dst = &g_array_index (frames, PulseCachedFrame, i);
    *dst = cache->ring[(cache->head + i) % cache->capacity];
    dst->payload = g_bytes_ref (dst->payload);
  }
  g_mutex_unlock (&cache->lock);
  return frames;
}

/* ---- the caches of one endpoint -------------------------------------------- */

PulseTopicCacheSet *
_pulse_topic_cache_set_new (void)
{
  PulseTopicCacheSet *set = g_new0 (PulseTopicCacheSet, 1);

  g_mutex_init (&set->lock);
  set->caches = g_hash_table_new_full (
      g_str_hash, g_str_equal, NULL, (GDestroyNotify) _pulse_topic_cache_unref);
  return set;
}

void
_pulse_topic_cache_set_free (PulseTopicCacheSet *set)
{
  g_hash_table_unref (set->caches);
  g_mutex_clear (&set->lock);
  g_free (set);
}

/**
 * _pulse_topic_cache_set_add:
 * @set: a set
 * @topic: a topic
 * @max_frames: the most frames kept, at least 1
 * @max_bytes: the most payload bytes kept, or 0
 *
 * Starts caching @topic. zmqpubs that publish the same topic on the same
 * endpoint share one cache; its bounds come from the first, as the
 * original's get_or_create does.
 *
 * Returns: (transfer full): the cache of @topic
 */
PulseTopicCache *
_pulse_topic_cache_set_add (
    PulseTopicCacheSet *set, const gchar *topic, guint max_frames, guint64 max_bytes)
{
  PulseTopicCache *cache;

  g_mutex_lock (&set->lock);
  cache = g_hash_table_lookup (set->caches, topic);
  if (cache == NULL) {
    cache = _pulse_topic_cache_new (topic, max_frames, max_bytes);
    g_hash_table_insert (set->caches, cache->topic, cache);
    g_atomic_int_inc (&set->n_caches);
  }
  cache->users++;
  _pulse_topic_cache_ref (cache);
  g_mutex_unlock (&set->lock);
  return cache;
}

/**
 * _pulse_topic_cache_set_remove:
 * @set: a set
 * @topic: a topic given to _pulse_topic_cache_set_add()
 *
 * Stops caching @topic once its last user removes it.
 */
void
_pulse_topic_cache_set_remove (PulseTopicCacheSet *set, const gchar *topic)
{
  PulseTopicCache *cache;

  g_mutex_lock (&set->lock);
  cache = g_hash_table_lookup (set->caches, topic);
  if (cache != NULL && --cache->users == 0) {
    g_hash_table_remove (set->caches, topic);
    g_atomic_int_add (&set->n_caches, -1);
  }
  g_mutex_unlock (&set->lock);
}

/**
 * _pulse_topic_cache_set_push:
 * @set: a set
 * @topic: the topic the frame went out on
 * @msg_type: byte 0 of the meta frame
 * @flags: the flags byte
 * @record_count: the record count
 * @timestamp_ns: the timestamp that went out
 * @payload: the payload; referenced, not copied
 *
 * Keeps a frame sent on @topic if the topic is cached; does nothing (and
 * takes no lock) while nothing is cached.
 */
void
_pulse_topic_cache_set_push (PulseTopicCacheSet *set, const gchar *topic, guint8 msg_type,
    guint8 flags, guint32 record_count, gint64 timestamp_ns, GBytes *payload)
{
  PulseTopicCache *cache;

  if (g_atomic_int_get (&set->n_caches) == 0)
    return;
  g_mutex_lock (&set->lock);
  cache = g_hash_table_lookup (set->caches, topic);
  if (cache != NULL)
    _pulse_topic_cache_push (cache, msg_type, flags, record_count, timestamp_ns, payload);
  g_mutex_unlock (&set->lock);
}

static gint
compare_topics (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(PulseTopicCache **) a)->topic, (*(PulseTopicCache **) b)->topic);
}

/**
 * _pulse_topic_cache_set_match:
 * @set: a set
 * @prefix: (array length=prefix_len): a topic prefix, as ZeroMQ matches
 *   subscriptions; empty for every topic
 * @prefix_len: its length in bytes
 *
 * Returns: (transfer full): the caches whose topic starts with @prefix,
 * sorted by topic, in a #GPtrArray that owns a reference to each
 */
GPtrArray *
_pulse_topic_cache_set_match (PulseTopicCacheSet *set, const gchar *prefix, gsize prefix_len)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) _pulse_topic_cache_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&set->lock);
  g_hash_table_iter_init (&iter, set->caches);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    PulseTopicCache *cache = value;
    if (strlen (cache->topic) >= prefix_len && memcmp (cache->topic, prefix, prefix_len) == 0)
      g_ptr_array_add (out, _pulse_topic_cache_ref (cache));
  }
  g_mutex_unlock (&set->lock);
  g_ptr_array_sort (out, compare_topics);
  return out;
}

/* ---- the snapshot service ---------------------------------------------------- */

static void
release_payload (void *data, void *hint)
{
  g_bytes_unref (hint);
}

/* 0 when sent, -1 on error */
static int
send_part (void *socket, const void *data, gsize size, gboolean more)
{
  return zmq_send (socket, data, size, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static int
send_payload (void *socket, GBytes *payload, gboolean more)
{
  zmq_msg_t msg;
  gsize size;
  gconstpointer data = g_bytes_get_data (payload, &size);

  if (size == 0)
    return send_part (socket, "", 0, more);
  /* ZeroMQ owns a reference until it has sent the bytes: no copy */
  if (zmq_msg_init_data (&msg, (void *) data, size, release_payload, g_bytes_ref (payload)) != 0) {
    g_bytes_unref (payload);
    return -1;
  }
  if (zmq_msg_send (&msg, socket, more ? ZMQ_SNDMORE : 0) < 0) {
    zmq_msg_close (&msg);
    return -1;
  }
  return 0;
}

/* Answers one request: @parts are what the ROUTER received, the envelope
 * (the peer's identity, and the empty delimiter a REQ adds) then the
 * request, a topic prefix. The reply goes back behind the same envelope. */
static void
answer (PulseSnapshotService *svc, void *socket, GPtrArray *parts)
{
  zmq_msg_t *request = g_ptr_array_index (parts, parts->len - 1);
  g_autoptr (GPtrArray) caches = NULL;
  g_autoptr (GPtrArray) snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  gchar count[24];
  guint total = 0, sent = 0;
  int rc = 0;

  if (zmq_msg_size (request) > MAX_PREFIX_LEN) {
    g_debug ("snapshot request of %zu bytes ignored", zmq_msg_size (request));
    return;
  }
  caches = _pulse_topic_cache_set_match (svc->set, zmq_msg_data (request), zmq_msg_size (request));
  for (guint i = 0; i < caches->len; i++) {
    GArray *frames = _pulse_topic_cache_snapshot (g_ptr_array_index (caches, i));
    total += frames->len;
    g_ptr_array_add (snapshots, frames);
  }

  for (guint i = 0; i + 1 < parts->len && rc == 0; i++) {
    zmq_msg_t *part = g_ptr_array_index (parts, i);
    rc = send_part (socket, zmq_msg_data (part), zmq_msg_size (part), TRUE);
  }
  g_snprintf (count, sizeof count, "%u", total);
  if (rc == 0)
    rc = send_part (socket, count, strlen (count), total > 0);
  for (guint i = 0; i < caches->len && rc == 0; i++) {
    const gchar *topic = _pulse_topic_cache_get_topic (g_ptr_array_index (caches, i));
    GArray *frames = g_ptr_array_index (snapshots, i);

    for (guint f = 0; f < frames->len && rc == 0; f++) {
      PulseCachedFrame *frame = &g_array_index (frames, PulseCachedFrame, f);
      guint8 meta[PULSE_META_SIZE];
      guint8 ts[PULSE_TIMESTAMP_SIZE];

      pulse_protocol_write_meta (meta, frame->msg_type, frame->flags, frame->record_count);
      pulse_protocol_write_timestamp (ts, frame->timestamp_ns);
      sent++;
      if (send_part (socket, topic, strlen (topic), TRUE) < 0 ||
          send_part (socket, meta, sizeof meta, TRUE) < 0 ||
          send_part (socket, ts, sizeof ts, TRUE) < 0 ||
          send_payload (socket, frame->payload, sent < total) < 0)
        rc = -1;
    }
  }
  if (rc != 0)
    g_debug ("snapshot reply not sent: %s", zmq_strerror (zmq_errno ()));
  else
    g_debug ("snapshot of %u frames sent", total);
}

static void
close_part (gpointer part)
{
  zmq_msg_close (part);
  g_free (part);
}

/* Reads one whole multipart message, or nothing; NULL when none waits. */
static GPtrArray *
receive (void *socket)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func (close_part);
  int more = 1;

  while (more) {
    zmq_msg_t *part = g_new (zmq_msg_t, 1);
    size_t len = sizeof more;

    zmq_msg_init (part);
    if (zmq_msg_recv (part, socket, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close (part);
      g_free (part);
      g_ptr_array_unref (parts);
      return NULL;
    }
    g_ptr_array_add (parts, part);
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
  }
  return parts;
}

static gpointer
snapshot_thread (gpointer user_data)
{
  PulseSnapshotService *svc = user_data;
  void *socket = zmq_socket (_pulse_zmq_context_get (), ZMQ_ROUTER);
  gchar last[256] = "";
  size_t last_len = sizeof last;
  int linger = 0;

  if (socket == NULL || zmq_setsockopt (socket, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
      zmq_bind (socket, svc->bind) != 0) {
    int err = zmq_errno ();
    g_mutex_lock (&svc->lock);
    g_set_error (&svc->start_error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_BIND,
        _ ("could not bind the snapshot socket \"%s\": %s"), svc->bind, zmq_strerror (err));
    svc->started = TRUE;
    g_cond_broadcast (&svc->cond);
    g_mutex_unlock (&svc->lock);
    if (socket != NULL)
      zmq_close (socket);
    return NULL;
  }
  zmq_getsockopt (socket, ZMQ_LAST_ENDPOINT, last, &last_len);
  g_mutex_lock (&svc->lock);
  svc->address = g_strdup (last);
  svc->started = TRUE;
  g_cond_broadcast (&svc->cond);
  g_mutex_unlock (&svc->lock);

  while (!g_atomic_int_get (&svc->stopping)) {
    zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
    GPtrArray *parts;

    if (zmq_poll (&item, 1, POLL_MS) <= 0 || !(item.revents & ZMQ_POLLIN))
      continue;
    while ((parts = receive (socket)) != NULL) {
      /* identity, then the request: anything else is not a client of ours */
      if (parts->len >= 2 && parts->len <= MAX_REQUEST_PARTS)
        answer (svc, socket, parts);
      g_ptr_array_unref (parts);
    }
  }
  zmq_close (socket);
  return NULL;
}

/**
 * _pulse_snapshot_service_start:
 * @set: the caches to serve; must outlive the service
 * @bind: a ZeroMQ address to bind the ROUTER socket to
 * @error: return location for a #GError (%PULSE_RESOURCE_ERROR_BIND)
 *
 * Binds the snapshot socket on a thread of its own and answers requests
 * until _pulse_snapshot_service_stop().
 *
 * Returns: (transfer full): the service, or %NULL
 */
PulseSnapshotService *
_pulse_snapshot_service_start (PulseTopicCacheSet *set, const gchar *bind, GError **error)
{
  PulseSnapshotService *svc = g_new0 (PulseSnapshotService, 1);

  svc->set = set;
  svc->bind = g_strdup (bind);
  g_mutex_init (&svc->lock);
  g_cond_init (&svc->cond);
  svc->thread = g_thread_try_new ("pulse-snapshot", snapshot_thread, svc, error);
  if (svc->thread == NULL) {
    svc->started = TRUE;
  } else {
    g_mutex_lock (&svc->lock);
    while (!svc->started)
      g_cond_wait (&svc->cond, &svc->lock);
    g_mutex_unlock (&svc->lock);
  }
  if (svc->thread == NULL || svc->start_error != NULL) {
    if (svc->start_error != NULL)
      g_propagate_error (error, g_steal_pointer (&svc->start_error));
    _pulse_snapshot_service_stop (svc);
    return NULL;
  }
  return svc;
}

/**
 * _pulse_snapshot_service_get_address:
 * @svc: a service
 *
 * Returns: (transfer none): the address bound, with the port ZeroMQ picked
 */
const gchar *
_pulse_snapshot_service_get_address (PulseSnapshotService *svc)
{
  return svc->address;
}

/**
 * _pulse_snapshot_service_stop:
 * @svc: (transfer full): a service
 *
 * Stops answering, closes the socket and frees the service.
 */
void
_pulse_snapshot_service_stop (PulseSnapshotService *svc)
{
  g_atomic_int_set (&svc->stopping, 1);
  if (svc->thread != NULL)
    g_thread_join (svc->thread);
  g_clear_error (&svc->start_error);
  g_mutex_clear (&svc->lock);
  g_cond_clear (&svc->cond);
  g_free (svc->bind);
  g_free (svc->address);
  g_free (svc);
}
