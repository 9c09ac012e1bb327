/* PulseMQ — unit tests of the topic cache and the snapshot service
 *
 * The cache is internal API, so this program compiles
 * core/pulse-topic-cache.c (and the ZeroMQ context it uses) in itself
 * rather than reaching into the library. The snapshot service is tested
 * with a plain libzmq REQ socket; every wait has a deadline.
 */
#include "config.h"

#include <string.h>

#include <zmq.h>

#include "pulse-private.h"

#define DEADLINE_MS 20000

static GBytes *
payload_of (gsize size, guint8 fill)
{
  guint8 *data = g_malloc (MAX (size, 1));

  memset (data, fill, size);
  return g_bytes_new_take (data, size);
}

static void
push_n (PulseTopicCache *cache, guint first, guint n, gsize size)
{
  for (guint i = first; i < first + n; i++) {
    g_autoptr (GBytes) payload = payload_of (size, (guint8) i);
    /* the record count stands for the frame's number in these tests */
    _pulse_topic_cache_push (cache, PULSE_MSG_TYPE_DATA, 0x10, i, 1000 + i, payload);
  }
}

/* the record counts of the frames kept, oldest first */
static void
assert_frames (PulseTopicCache *cache, guint first, guint n)
{
  g_autoptr (GArray) frames = _pulse_topic_cache_snapshot (cache);

  g_assert_cmpuint (frames->len, ==, n);
  g_assert_cmpuint (_pulse_topic_cache_get_n_frames (cache), ==, n);
  for (guint i = 0; i < n; i++) {
    PulseCachedFrame *f = &g_array_index (frames, PulseCachedFrame, i);
    g_assert_cmpuint (f->record_count, ==, first + i);
    g_assert_cmpint (f->timestamp_ns, ==, 1000 + first + i);
    g_assert_cmpuint (f->msg_type, ==, PULSE_MSG_TYPE_DATA);
    g_assert_cmpuint (f->flags, ==, 0x10);
  }
}

static void
test_count_bound (void)
{
  PulseTopicCache *cache = _pulse_topic_cache_new ("t", 5, 0);

  assert_frames (cache, 0, 0);
  push_n (cache, 0, 3, 10);
  assert_frames (cache, 0, 3);
  g_assert_cmpuint (_pulse_topic_cache_get_n_bytes (cache), ==, 30);
  /* past the bound the oldest go first, and the ring wraps many times */
  push_n (cache, 3, 100, 10);
  assert_frames (cache, 98, 5);
  g_assert_cmpuint (_pulse_topic_cache_get_n_bytes (cache), ==, 50);
  _pulse_topic_cache_unref (cache);
}

static void
test_byte_bound (void)
{
  PulseTopicCache *cache = _pulse_topic_cache_new ("t", 1000, 100);

  push_n (cache, 0, 10, 10);
  assert_frames (cache, 0, 10);
  /* one more byte than the bound allows: the oldest frame goes */
  push_n (cache, 10, 1, 1);
  assert_frames (cache, 1, 10);
  g_assert_cmpuint (_pulse_topic_cache_get_n_bytes (cache), ==, 91);
  /* a big frame evicts as many as it needs */
  push_n (cache, 11, 1, 60);
  assert_frames (cache, 7, 5);
  g_assert_cmpuint (_pulse_topic_cache_get_n_bytes (cache), ==, 91);
  /* a frame bigger than the bound alone: not kept, and nothing older is,
   * so a snapshot never has a gap before the newest frame */
  push_n (cache, 12, 1, 101);
  assert_frames (cache, 0, 0);
  g_assert_cmpuint (_pulse_topic_cache_get_n_bytes (cache), ==, 0);
  push_n (cache, 13, 2, 1);
  assert_frames (cache, 13, 2);
  _pulse_topic_cache_unref (cache);
}

static void
test_no_copy (void)
{
  PulseTopicCache *cache = _pulse_topic_cache_new ("t", 2, 0);
  g_autoptr (GBytes) payload = payload_of (64, 7);
  g_autoptr (GArray) frames = NULL;

  _pulse_topic_cache_push (cache, PULSE_MSG_TYPE_DATA, 0, 1, 1, payload);
  frames = _pulse_topic_cache_snapshot (cache);
  /* the very bytes that were sent */
  g_assert_true (g_array_index (frames, PulseCachedFrame, 0).payload == payload);
  _pulse_topic_cache_unref (cache);
}

static void
test_prefix_selection (void)
{
  PulseTopicCacheSet *set = _pulse_topic_cache_set_new ();
  static const gchar *topics[] = { "sh_market", "sh", "sz_market", "ticks" };
  static const struct {
    const gchar *prefix;
    const gchar *expect; /* the topics matched, sorted, joined by spaces */
  } cases[] = {
    { "", "sh sh_market sz_market ticks" },
    { "s", "sh sh_market sz_market" },
    { "sh", "sh sh_market" },
    { "sh_", "sh_market" },
    { "ticks", "ticks" },
    { "ticksx", "" },
    { "x", "" },
  };
  PulseTopicCache *caches[G_N_ELEMENTS (topics)];
  PulseTopicCache *shared;

  for (guint i = 0; i < G_N_ELEMENTS (topics); i++)
    caches[i] = _pulse_topic_cache_set_add (set, topics[i], 10, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GPtrArray)
        match = _pulse_topic_cache_set_match (set, cases[i].prefix, strlen (cases[i].prefix));
    g_autoptr (GString) got = g_string_new (NULL);

    for (guint m = 0; m < match->len; m++)
      g_string_append_printf (got, "%s%s", m > 0 ? " " : "",
          _pulse_topic_cache_get_topic (g_ptr_array_index (match, m)));
    g_assert_cmpstr (got->str, ==, cases[i].expect);
  }

  /* frames go to the cache of their topic only, and uncached topics are
   * ignored */
  {
    g_autoptr (GBytes) p = payload_of (4, 1);
    _pulse_topic_cache_set_push (set, "sh", PULSE_MSG_TYPE_DATA, 0, 1, 1, p);
    _pulse_topic_cache_set_push (set, "nobody", PULSE_MSG_TYPE_DATA, 0, 1, 1, p);
  }
  g_assert_cmpuint (_pulse_topic_cache_get_n_frames (caches[1]), ==, 1);
  g_assert_cmpuint (_pulse_topic_cache_get_n_frames (caches[0]), ==, 0);

  /* a second user shares the cache; it goes with its last user */
  shared = _pulse_topic_cache_set_add (set, "sh", 99, 0);
  g_assert_true (shared == caches[1]);
  _pulse_topic_cache_set_remove (set, "sh");
  {
    g_autoptr (GPtrArray) match = _pulse_topic_cache_set_match (set, "sh", 2);
    g_assert_cmpuint (match->len, ==, 2);
  }
  _pulse_topic_cache_set_remove (set, "sh");
  {
    g_autoptr (GPtrArray) match = _pulse_topic_cache_set_match (set, "sh", 2);
    g_assert_cmpuint (match->len, ==, 1);
  }
  _pulse_topic_cache_unref (shared);
  for (guint i = 0; i < G_N_ELEMENTS (topics); i++) {
    if (i != 1)
      _pulse_topic_cache_set_remove (set, topics[i]);
    _pulse_topic_cache_unref (caches[i]);
  }
  _pulse_topic_cache_set_free (set);
}

/* receives one multipart message with a deadline; NULL on timeout */
static GPtrArray *
recv_multipart (void *socket)
{
  GPtrArray *parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
  int more = 1;

  if (zmq_poll (&item, 1, DEADLINE_MS) != 1) {
    g_ptr_array_unref (parts);
    return NULL;
  }
  while (more) {
    zmq_msg_t msg;
    size_t len = sizeof more;

    zmq_msg_init (&msg);
    g_assert_cmpint (zmq_msg_recv (&msg, socket, 0), >=, 0);
    g_ptr_array_add (parts, g_bytes_new (zmq_msg_data (&msg), zmq_msg_size (&msg)));
    zmq_msg_close (&msg);
    zmq_getsockopt (socket, ZMQ_RCVMORE, &more, &len);
  }
  return parts;
}

static GPtrArray *
ask (void *req, const gchar *prefix)
{
  GPtrArray *parts;

  g_assert_cmpint (zmq_send (req, prefix, strlen (prefix), 0), ==, (int) strlen (prefix));
  parts = recv_multipart (req);
  g_assert_nonnull (parts);
  return parts;
}

static void
test_snapshot_service (void)
{
  PulseTopicCacheSet *set = _pulse_topic_cache_set_new ();
  PulseTopicCache *a = _pulse_topic_cache_set_add (set, "a", 3, 0);
  PulseTopicCache *b = _pulse_topic_cache_set_add (set, "b", 3, 0);
  g_autoptr (GError) error = NULL;
  PulseSnapshotService *svc;
  void *req;
  int linger = 0;

  push_n (a, 0, 5, 8);
  push_n (b, 100, 1, 0); /* an empty payload travels too */
  svc = _pulse_snapshot_service_start (set, "tcp://127.0.0.1:*", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (_pulse_snapshot_service_get_address (svc), "tcp://127.0.0.1:"));

  req = zmq_socket (_pulse_zmq_context_get (), ZMQ_REQ);
  zmq_setsockopt (req, ZMQ_LINGER, &linger, sizeof linger);
  g_assert_cmpint (zmq_connect (req, _pulse_snapshot_service_get_address (svc)), ==, 0);

  {
    g_autoptr (GPtrArray) parts = ask (req, "");
    guint8 meta[PULSE_META_SIZE];
    guint8 ts[PULSE_TIMESTAMP_SIZE];

    /* "4", then a's 3 newest frames, then b's one, 4 protocol frames each */
    g_assert_cmpuint (parts->len, ==, 1 + 4 * 4);
    g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (parts, 0), NULL),
        g_bytes_get_size (g_ptr_array_index (parts, 0)), "4", 1);
    for (guint g = 0; g < 4; g++) {
      guint n = g < 3 ? 2 + g : 100;
      GBytes *topic = g_ptr_array_index (parts, 1 + 4 * g);
      GBytes *payload = g_ptr_array_index (parts, 4 + 4 * g);

      g_assert_cmpmem (
          g_bytes_get_data (topic, NULL), g_bytes_get_size (topic), g < 3 ? "a" : "b", 1);
      pulse_protocol_write_meta (meta, PULSE_MSG_TYPE_DATA, 0x10, n);
      pulse_protocol_write_timestamp (ts, 1000 + n);
      g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (parts, 2 + 4 * g), NULL),
          g_bytes_get_size (g_ptr_array_index (parts, 2 + 4 * g)), meta, sizeof meta);
      g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (parts, 3 + 4 * g), NULL),
          g_bytes_get_size (g_ptr_array_index (parts, 3 + 4 * g)), ts, sizeof ts);
      g_assert_cmpuint (g_bytes_get_size (payload), ==, g < 3 ? 8 : 0);
      if (g < 3)
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (payload, NULL))[0], ==, n);
    }
  }
  {
    g_autoptr (GPtrArray) parts = ask (req, "b");
    g_assert_cmpuint (parts->len, ==, 5);
  }
  {
    g_autoptr (GPtrArray) parts = ask (req, "zzz");
    g_assert_cmpuint (parts->len, ==, 1);
    g_assert_cmpmem (g_bytes_get_data (g_ptr_array_index (parts, 0), NULL),
        g_bytes_get_size (g_ptr_array_index (parts, 0)), "0", 1);
  }
  zmq_close (req);

  /* the same address cannot be bound twice: a startup error */
  {
    PulseSnapshotService *again = _pulse_snapshot_service_start (
        set, _pulse_snapshot_service_get_address (svc), &error);
    g_assert_null (again);
    g_assert_error (error, PULSE_RESOURCE_ERROR, PULSE_RESOURCE_ERROR_BIND);
    g_clear_error (&error);
  }
  _pulse_snapshot_service_stop (svc);
  _pulse_topic_cache_set_remove (set, "a");
  _pulse_topic_cache_set_remove (set, "b");
  _pulse_topic_cache_unref (a);
  _pulse_topic_cache_unref (b);
  _pulse_topic_cache_set_free (set);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/topic-cache/count-bound", test_count_bound);
  g_test_add_func ("/topic-cache/byte-bound", test_byte_bound);
  g_test_add_func ("/topic-cache/no-copy", test_no_copy);
  g_test_add_func ("/topic-cache/prefix-selection", test_prefix_selection);
  g_test_add_func ("/topic-cache/snapshot-service", test_snapshot_service);
  return g_test_run ();
}
