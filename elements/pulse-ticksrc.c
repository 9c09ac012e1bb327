/* PulseMQ — ticksrc: synthetic market ticks, for demos and benchmarks
 *
 *   pulse-launch "ticksrc rate=20 batch=2 count=10 ! print"
 *
 * Each buffer is one columnar batch of `batch` records
 * {symbol, price, volume, timestamp_ns, seq}: a list of maps, or one map
 * when batch=1. The columns are written straight into arrays that the
 * batch takes over, so a record costs a few stores and three draws of a
 * small PRNG of our own: no allocation, no GVariant, no call per value.
 *
 * Ticks are made on a streaming thread of the element's own (a GMainLoop
 * source could not keep up with rate=0), started going to PLAYING and
 * joined going back to READY. Pacing follows a fixed grid on the monotonic
 * clock: buffer k is due at start + k × batch / rate, so the rate does not
 * drift. A buffer that comes late is sent at once; if the thread fell
 * behind by a whole interval or more (a slow consumer), it skips to the
 * slot in progress instead of bursting out every slot it missed. The grid
 * keeps its anchor and no record is dropped: a stall costs time, never
 * records or gaps in seq. With rate=0 buffers go out back to back.
 *
 * `start-delay` moves the grid's anchor later: the first buffer waits that
 * long after PLAYING. ZeroMQ PUB drops what it sends before a subscriber's
 * subscription has arrived, so a burst that must reach subscribers whole
 * gives them that time to connect.
 *
 * The walk is reproducible: a given seed gives the same symbols, prices and
 * volumes whatever the batch size and rate, because every record takes the
 * same draws in the same order.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pulse-private.h"
#include "pulse-ticksrc.h"

/* one log domain per element: PULSE_DEBUG=ticksrc shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-ticksrc"

#define DEFAULT_SYMBOLS "600000,600036,601318,000001,000002"
#define DEFAULT_RATE 10.0
#define DEFAULT_BATCH 1
#define DEFAULT_COUNT 0
#define DEFAULT_SEED 0
#define DEFAULT_START_DELAY 0.0

#define MAX_RATE 1e9
#define MAX_BATCH 1000000
#define MAX_START_DELAY 86400.0
/* keeps a full batch of symbols far below the 4 GiB that 32-bit string
 * offsets can address */
#define MAX_SYMBOL_LEN 64

/* What the streaming thread works with: copied from the properties going
 * to PLAYING, so that it never reads them under a lock, then owned by the
 * thread until it is joined. */
typedef struct {
  gchar **names;
  guint32 *lens;
  gint64 *cents; /* the last price of each symbol, in hundredths */
  guint n_symbols;
  gsize max_len;
  guint64 rng;
  gdouble rate;
  guint batch;
  guint64 count;
  gdouble interval_us; /* between buffers, when rate > 0 */
  gint64 start_us;     /* the grid's anchor on the monotonic clock: the first buffer's due time */
  guint64 seq;         /* of the next record */
} Stream;

struct _PulseTickSrc {
  PulseElement parent_instance;

  PulsePad *srcpad;

  GMutex lock; /* guards the properties and the flags below */
  GCond cond;  /* flushing or eos_requested was set */
  gchar *symbols;
  gdouble rate;
  guint batch;
  guint64 count;
  guint seed;
  gdouble start_delay; /* seconds */
  guint64 produced;
  gboolean flushing;      /* leaving PLAYING: stop, no EOS */
  gboolean eos_requested; /* send_eos: stop, then EOS */
  gboolean running;       /* the thread has not decided to exit yet */
  gboolean eos_sent;
  GThread *thread;

  Stream stream;
};

enum {
  PROP_0,
  PROP_SYMBOLS,
  PROP_RATE,
  PROP_BATCH,
  PROP_COUNT,
  PROP_SEED,
  PROP_START_DELAY,
  PROP_PRODUCED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PulseTickSrc, pulse_tick_src, PULSE_TYPE_ELEMENT)
#define parent_class pulse_tick_src_parent_class

/* ---- the random walk -------------------------------------------------------- */

/* xorshift64* (Marsaglia's xorshift, scrambled by a multiply as Vigna
 * proposed): a few cycles a value, plenty for synthetic prices, and unlike
 * g_random it is ours to seed and keeps no lock. */
static inline guint64
rng_next (guint64 *state)
{
  guint64 x = *state;

  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D);
}

/* a value in [0, n): a multiply and a shift instead of a division; the
 * bias for small n is far below anything a demo feed can show */
static inline guint32
rng_below (guint64 *state, guint32 n)
{
  return (guint32) (((rng_next (state) >> 32) * n) >> 32);
}

/* Spreads a small seed over all 64 bits (the splitmix64 finalizer), so that
 * seeds 1 and 2 start far apart; xorshift must not start at 0. */
static guint64
rng_init (guint64 seed)
{
  guint64 z = seed + G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  z ^= z >> 31;
  return z != 0 ? z : 1;
}

/* ---- symbols ---------------------------------------------------------------- */

/* Splits the `symbols` text into trimmed names; an empty entry is more
 * likely a typo than a wish for a nameless instrument, so it is an error. */
static gchar **
parse_symbols (const gchar *text, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) names = NULL;

  if (text == NULL || *text == '\0') {
    g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
        _ ("symbols must name at least one symbol, e.g. \"600000,600036\""));
    return NULL;
  }
  if (!g_utf8_validate (text, -1, NULL)) {
    g_set_error (
        error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE, _ ("symbols is not valid UTF-8"));
    return NULL;
  }

  parts = g_strsplit (text, ",", -1);
  names = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; parts[i] != NULL; i++) {
    const gchar *name = g_strstrip (parts[i]);

    if (*name == '\0') {
      g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
          _ ("symbols has an empty entry in \"%s\""), text);
      return NULL;
    }
    if (strlen (name) > MAX_SYMBOL_LEN) {
      g_set_error (error, PULSE_PARSE_ERROR, PULSE_PARSE_ERROR_BAD_VALUE,
          _ ("symbol \"%s\" is longer than %d bytes"), name, MAX_SYMBOL_LEN);
      return NULL;
    }
    g_ptr_array_add (names, g_strdup (name));
  }
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static void
stream_clear (Stream *s)
{
  g_clear_pointer (&s->names, g_strfreev);
  g_clear_pointer (&s->lens, g_free);
  g_clear_pointer (&s->cents, g_free);
  s->n_symbols = 0;
}

/* Takes @names over and sets the walk at its start; called with the
 * thread not running. */
static void
stream_start (PulseTickSrc *self, gchar **names)
{
  Stream *s = &self->stream;
  guint64 seed;
  gdouble start_delay;

  stream_clear (s);
  g_mutex_lock (&self->lock);
  s->rate = self->rate;
  s->batch = self->batch;
  s->count = self->count;
  seed = self->seed;
  start_delay = self->start_delay;
  g_mutex_unlock (&self->lock);

  if (seed == 0)
    seed = (guint64) g_get_real_time () ^ ((guint64) g_get_monotonic_time () << 20);
  g_debug ("%s: seed %" G_GUINT64_FORMAT, pulse_element_get_name (PULSE_ELEMENT (self)), seed);
  s->rng = rng_init (seed);

  s->names = names;
  s->n_symbols = g_strv_length (names);
  s->lens = g_new (guint32, s->n_symbols);
  s->cents = g_new (gint64, s->n_symbols);
  s->max_len = 0;
  for (guint i = 0; i < s->n_symbols; i++) {
    s->lens[i] = (guint32) strlen (names[i]);
    s->max_len = MAX (s->max_len, s->lens[i]);
    /* opening prices between 10.00 and 99.99, like most A-shares */
    s->cents[i] = 1000 + rng_below (&s->rng, 9000);
  }
  s->interval_us = s->rate > 0 ? s->batch * (gdouble) G_USEC_PER_SEC / s->rate : 0;
  s->start_us = g_get_monotonic_time () + (gint64) (start_delay * G_USEC_PER_SEC);
  s->seq = 0;
}

/* ---- making a batch --------------------------------------------------------- */

/* Builds @n records into arrays the batch takes over. The random columns
 * are filled in one pass, so every record draws in the same order whatever
 * the batch size; the others are written column by column. The wall clock
 * is read once: records are stamped back from that instant at 1 / rate
 * apart, so the newest is "now" and none lies in the future (with rate=0
 * they all get the same stamp). */
static PulseBuffer *
make_buffer (PulseTickSrc *self, guint n)
{
  Stream *s = &self->stream;
  g_autoptr (PulseRecordBatch) batch = pulse_record_batch_new ();
  guint32 *offsets = g_new (guint32, (gsize) n + 1);
  gchar *symbols = g_malloc ((gsize) n * s->max_len + 1);
  gdouble *prices = g_new (gdouble, n);
  gint64 *volumes = g_new (gint64, n);
  gint64 *stamps = g_new (gint64, n);
  gint64 *seqs = g_new (gint64, n);
  gint64 now = pulse_util_get_real_time_ns ();
  gint64 step = s->rate > 0 ? (gint64) (1e9 / s->rate) : 0;
  guint32 pos = 0;
  PulseBuffer *buffer;

  for (guint i = 0; i < n; i++) {
    guint32 k = rng_below (&s->rng, s->n_symbols);
    gint64 cents = s->cents[k];
    /* moves of up to 0.2 %, at least a cent, never to zero or below */
    gint64 span = MAX (1, cents / 500);

    cents += (gint64) rng_below (&s->rng, (guint32) (2 * span + 1)) - span;
    if (cents < 1)
      cents = 1;
    s->cents[k] = cents;
    prices[i] = cents / 100.0;
    volumes[i] = 100 * (1 + (gint64) rng_below (&s->rng, 100)); /* board lots */
    offsets[i] = pos;
    memcpy (symbols + pos, s->names[k], s->lens[k]);
    pos += s->lens[k];
  }
  offsets[n] = pos;
  for (guint i = 0; i < n; i++)
    stamps[i] = now - (gint64) (n - 1 - i) * step;
  for (guint i = 0; i < n; i++)
    seqs[i] = (gint64) (s->seq + i);

  _pulse_record_batch_take_column (
      batch, "symbol", PULSE_COLUMN_UTF8, n, (guint8 *) symbols, pos, offsets, NULL, 0);
  _pulse_record_batch_take_column (batch, "price", PULSE_COLUMN_FLOAT64, n, (guint8 *) prices,
      (gsize) n * sizeof (gdouble), NULL, NULL, 0);
  _pulse_record_batch_take_column (batch, "volume", PULSE_COLUMN_INT64, n, (guint8 *) volumes,
      (gsize) n * sizeof (gint64), NULL, NULL, 0);
  _pulse_record_batch_take_column (batch, "timestamp_ns", PULSE_COLUMN_TIMESTAMP_NS, n,
      (guint8 *) stamps, (gsize) n * sizeof (gint64), NULL, NULL, 0);
  _pulse_record_batch_take_column (batch, "seq", PULSE_COLUMN_INT64, n, (guint8 *) seqs,
      (gsize) n * sizeof (gint64), NULL, NULL, 0);
  _pulse_record_batch_set_n_rows (batch, n);
  /* batch=1 asks for single ticks: send maps, as the timer does; a short
   * last batch stays a list so that consumers see one shape */
  pulse_record_batch_set_shape (
      batch, s->batch == 1 ? PULSE_RECORD_SHAPE_MAP : PULSE_RECORD_SHAPE_ROWS);

  buffer = pulse_buffer_new_records (batch);
  pulse_buffer_set_timestamp_ns (buffer, now);
  s->seq += n;
  return buffer;
}

/* ---- the streaming thread --------------------------------------------------- */

static gint64
slot_time (Stream *s, guint64 slot)
{
  return s->start_us + (gint64) ((gdouble) slot * s->interval_us);
}

/* Waits for @slot's due time on the cond, so that leaving PLAYING or
 * send_eos wake the thread at once; a late slot is not waited for, and one
 * a whole interval late or more is replaced by the slot in progress. With
 * rate=0 every slot is due at the anchor (start-delay after PLAYING).
 * Returns FALSE when the thread must stop. */
static gboolean
wait_for_slot (PulseTickSrc *self, guint64 *slot)
{
  Stream *s = &self->stream;
  gboolean go;

  g_mutex_lock (&self->lock);
  if (s->rate > 0 || *slot == 0) {
    gint64 now = g_get_monotonic_time ();
    gint64 due = slot_time (s, *slot);

    if (s->rate > 0 && now - due >= s->interval_us) {
      guint64 current = (guint64) ((now - s->start_us) / s->interval_us);
      *slot = MAX (*slot, current);
      due = slot_time (s, *slot);
    }
    while (!self->flushing && !self->eos_requested && now < due) {
      g_cond_wait_until (&self->cond, &self->lock, due);
      now = g_get_monotonic_time ();
    }
  }
  go = !self->flushing && !self->eos_requested;
  g_mutex_unlock (&self->lock);
  return go;
}

static gpointer
stream_thread (gpointer user_data)
{
  PulseTickSrc *self = PULSE_TICK_SRC (user_data);
  Stream *s = &self->stream;
  gboolean end = FALSE; /* the stream is over: EOS follows */
  gboolean push_eos;
  guint64 slot = 0;

  while (wait_for_slot (self, &slot)) {
    guint n = s->batch;
    PulseFlowReturn ret;

    if (s->count > 0 && s->count - s->seq < n)
      n = (guint) (s->count - s->seq);
    ret = pulse_pad_push (self->srcpad, make_buffer (self, n));

    g_mutex_lock (&self->lock);
    self->produced = s->seq;
    g_mutex_unlock (&self->lock);

    if (ret != PULSE_FLOW_OK) {
      /* downstream has ended, is stopping, or failed (and said so on the
       * bus): only an ended downstream still wants our EOS */
      g_debug ("%s: push returned %s, stopping", pulse_element_get_name (PULSE_ELEMENT (self)),
          pulse_flow_get_name (ret));
      end = ret == PULSE_FLOW_EOS;
      break;
    }
    if (s->count > 0 && s->seq >= s->count) {
      end = TRUE;
      break;
    }
    slot++;
  }

  /* decided under the lock, so that send_eos either leaves EOS to us or
   * sees we are gone and pushes it itself: never both, never neither */
  g_mutex_lock (&self->lock);
  push_eos = (end || self->eos_requested) && !self->flushing && !self->eos_sent;
  if (push_eos)
    self->eos_sent = TRUE;
  self->running = FALSE;
  g_mutex_unlock (&self->lock);
  if (push_eos)
    pulse_element_push_eos (PULSE_ELEMENT (self));
  return NULL;
}

static void
stop_thread (PulseTickSrc *self)
{
  g_mutex_lock (&self->lock);
  self->flushing = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
}

static gboolean
pulse_tick_src_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseTickSrc *self = PULSE_TICK_SRC (element);
  g_autofree gchar *symbols = NULL;
  g_autofree gchar *thread_name = NULL;
  gchar **names;

  switch (transition) {
    case PULSE_STATE_CHANGE_NULL_TO_READY:
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      g_mutex_lock (&self->lock);
      symbols = g_strdup (self->symbols);
      g_mutex_unlock (&self->lock);
      names = parse_symbols (symbols, error);
      if (names == NULL)
        return FALSE;
      if (transition == PULSE_STATE_CHANGE_NULL_TO_READY) {
        g_strfreev (names);
        break;
      }
      stream_start (self, names);
      g_mutex_lock (&self->lock);
      self->flushing = FALSE;
      self->eos_requested = FALSE;
      self->eos_sent = FALSE;
      self->running = TRUE;
      self->produced = 0;
      g_mutex_unlock (&self->lock);
      thread_name = g_strdup_printf ("tick:%s", pulse_element_get_name (element));
      self->thread = g_thread_try_new (thread_name, stream_thread, self, error);
      if (self->thread == NULL) {
        g_mutex_lock (&self->lock);
        self->running = FALSE;
        g_mutex_unlock (&self->lock);
        return FALSE;
      }
      break;
    case PULSE_STATE_CHANGE_PLAYING_TO_READY: stop_thread (self); break;
    case PULSE_STATE_CHANGE_READY_TO_NULL: stream_clear (&self->stream); break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

/* Stops the thread and has EOS follow its last buffer. Called from the
 * pipeline's thread: it only asks, so it never waits on a push. */
static void
pulse_tick_src_send_eos (PulseElement *element)
{
  PulseTickSrc *self = PULSE_TICK_SRC (element);
  gboolean push_eos = FALSE;

  g_mutex_lock (&self->lock);
  if (self->running) {
    self->eos_requested = TRUE;
    g_cond_broadcast (&self->cond);
  } else if (!self->flushing && !self->eos_sent) {
    /* the thread stopped on a failed push without EOS */
    self->eos_sent = TRUE;
    push_eos = TRUE;
  }
  g_mutex_unlock (&self->lock);
  if (push_eos)
    pulse_element_push_eos (element);
}

static gboolean
pulse_tick_src_check_property (
    PulseElement *element, GParamSpec *pspec, const GValue *value, GError **error)
{
  if (pspec == properties[PROP_SYMBOLS]) {
    g_auto (GStrv) names = parse_symbols (g_value_get_string (value), error);
    return names != NULL;
  }
  return TRUE;
}

static void
pulse_tick_src_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseTickSrc *self = PULSE_TICK_SRC (object);

  /* read by the thread only when it starts: changes apply at the next PLAYING */
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SYMBOLS:
      g_free (self->symbols);
      self->symbols = g_value_dup_string (value);
      break;
    case PROP_RATE: self->rate = g_value_get_double (value); break;
    case PROP_BATCH: self->batch = g_value_get_uint (value); break;
    case PROP_COUNT: self->count = g_value_get_uint64 (value); break;
    case PROP_SEED: self->seed = g_value_get_uint (value); break;
    case PROP_START_DELAY: self->start_delay = g_value_get_double (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
pulse_tick_src_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseTickSrc *self = PULSE_TICK_SRC (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SYMBOLS: g_value_set_string (value, self->symbols); break;
    case PROP_RATE: g_value_set_double (value, self->rate); break;
    case PROP_BATCH: g_value_set_uint (value, self->batch); break;
    case PROP_COUNT: g_value_set_uint64 (value, self->count); break;
    case PROP_SEED: g_value_set_uint (value, self->seed); break;
    case PROP_START_DELAY: g_value_set_double (value, self->start_delay); break;
    case PROP_PRODUCED: g_value_set_uint64 (value, self->produced); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
pulse_tick_src_finalize (GObject *object)
{
  PulseTickSrc *self = PULSE_TICK_SRC (object);

  stop_thread (self);
  stream_clear (&self->stream);
  g_free (self->symbols);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_tick_src_class_init (PulseTickSrcClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_tick_src_set_property;
  object_class->get_property = pulse_tick_src_get_property;
  object_class->finalize = pulse_tick_src_finalize;
  element_class->change_state = pulse_tick_src_change_state;
  element_class->send_eos = pulse_tick_src_send_eos;
  element_class->check_property = pulse_tick_src_check_property;

  /**
   * PulseTickSrc:symbols:
   *
   * Comma-separated symbols; each record picks one at random.
   */
  properties[PROP_SYMBOLS] = g_param_spec_string ("symbols", "Symbols",
      "Comma-separated symbols to make ticks for", DEFAULT_SYMBOLS,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTickSrc:rate:
   *
   * Records per second, paced on the monotonic clock; 0 for as fast as
   * downstream takes them.
   */
  properties[PROP_RATE] = g_param_spec_double ("rate", "Rate",
      "Records per second (0 = as fast as possible)", 0.0, MAX_RATE, DEFAULT_RATE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTickSrc:batch:
   *
   * Records per buffer; with 1 each buffer is one map, otherwise a list.
   */
  properties[PROP_BATCH] = g_param_spec_uint ("batch", "Batch",
      "Records per buffer (1 = one map per buffer)", 1, MAX_BATCH, DEFAULT_BATCH,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTickSrc:count:
   *
   * Records to make before end-of-stream; 0 for no end. The last buffer
   * may hold fewer than `batch` records.
   */
  properties[PROP_COUNT] = g_param_spec_uint64 ("count", "Count",
      "Records to make before end-of-stream (0 = endless)", 0, G_MAXUINT64, DEFAULT_COUNT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTickSrc:seed:
   *
   * Seed of the random walk: the same seed gives the same ticks; 0 seeds
   * from the clock.
   */
  properties[PROP_SEED] = g_param_spec_uint ("seed", "Seed",
      "Seed of the random walk (0 = from the clock)", 0, G_MAXUINT, DEFAULT_SEED,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTickSrc:start-delay:
   *
   * How long to wait after PLAYING before the first tick. ZeroMQ PUB
   * drops messages for subscribers whose subscription has not arrived
   * yet, so a burst meant to reach them whole gives them time to connect.
   */
  properties[PROP_START_DELAY] = pulse_param_spec_duration ("start-delay", "Start delay",
      "Wait this long after PLAYING before the first tick, e.g. for subscribers to connect", 0.0,
      MAX_START_DELAY, DEFAULT_START_DELAY, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseTickSrc:produced:
   *
   * Records made since the element last went to PLAYING.
   */
  properties[PROP_PRODUCED] = g_param_spec_uint64 ("produced", "Produced",
      "Records made since PLAYING", 0, G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  pulse_element_class_set_metadata (element_class, "Synthetic market ticks", "Source/Market",
      "Makes ticks {symbol, price, volume, timestamp_ns, seq} with random-walk prices, batched, "
      "at a rate",
      "ticksrc rate=20 batch=2 count=10 ! print");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_RECORDS));
}

static void
pulse_tick_src_init (PulseTickSrc *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->symbols = g_strdup (DEFAULT_SYMBOLS);
  self->rate = DEFAULT_RATE;
  self->batch = DEFAULT_BATCH;
  self->count = DEFAULT_COUNT;
  self->seed = DEFAULT_SEED;
  self->start_delay = DEFAULT_START_DELAY;
  self->flushing = TRUE; /* until PLAYING: send_eos has nothing to end */
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
