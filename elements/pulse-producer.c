/* PulseMQ — producer: application code as a source
 *
 *   pulse-launch "producer interval=0.1 count=3 ! print"
 *
 * The original's producers are async Python functions registered with
 * @pub.producer(name, interval) or @pub.burst_producer(name); here they
 * are source elements that application code feeds, in one of three modes
 * chosen going to PLAYING:
 *
 * - interval (interval > 0, burst=false; the default, every 5 s as the
 *   original): the producer function is called at start + k × interval on
 *   the monotonic clock, so the calls do not drift. A slow call delays the
 *   next one: a call that comes late is made at once, but the slots it
 *   missed are skipped, never made up in a burst. A call that produces
 *   nothing (NULL) skips that tick.
 * - burst (burst=true): the function is called back to back until it
 *   produces nothing, then the stream ends (EOS).
 * - push (interval=0, burst=false): nothing is called; data comes only
 *   from pulse_producer_push() and its siblings, and the stream ends with
 *   pulse_producer_end_of_stream() or pulse_pipeline_send_eos().
 * Pushes are accepted in every mode. `count` ends the stream after that
 * many calls in interval and burst mode. With no function at all, a call
 * produces nothing: "producer interval=0.1 count=3" sends no buffer and
 * ends after its third tick, "producer burst=true" ends at once.
 *
 * The producer function is a C callback (pulse_producer_set_callback()),
 * or, when none is set, the handlers of the "produce" signal, which is
 * how Python (PyGObject) and JavaScript (GJS) produce.
 *
 * Threads. Interval mode calls the function on the GMainContext that was
 * the thread-default one when the element went to PLAYING, like the timer:
 * Python and JavaScript callbacks run on the thread of their main loop, the
 * one GJS insists on, and a slow or blocked downstream holds that loop up
 * (put a queue after the producer to avoid it). It needs that context to be
 * run by a GMainLoop, as pulse-launch and any application with a bus watch
 * do. Burst mode calls it on a streaming thread of the element's own
 * (`produce:NAME`), started going to PLAYING and joined going back to READY;
 * JavaScript cannot be called there and pushes instead. A push goes into
 * the graph from the caller's thread; the stream lock keeps one push (or
 * the end of stream) at a time, so a push from any thread is safe, and
 * waits while downstream is busy with another.
 *
 * Values are converted once, here: maps, lists of flat maps and tables
 * become a columnar PulseRecordBatch (pulse_record_batch_new_from_variant()
 * and pulse_record_batch_new_from_columns()); strings, byte strings, lists
 * of them and records that are not flat travel as a GVariant, as the str,
 * bytes, msgpack and json serializers take them. The record count is what
 * the original infers: a list's length, a table's rows, 1 for anything
 * else.
 *
 * Errors. A function that fails (a C callback that sets its GError, a
 * handler that calls pulse_producer_report_error(), a value that cannot be
 * converted) is a WARNING on the bus naming the element, counted by
 * `failed`; the producer carries on, and in burst mode waits 100 ms before
 * the next call, as the original does. From Python, a callback given to
 * set_callback() that raises GLib.Error fails that way (PyGObject turns it
 * into the GError); any other exception, and any exception in a signal
 * handler, is only printed by PyGObject and seen here as NULL: catch it
 * and call report_error(). Do not change the pipeline's state from the
 * producer function: end the stream with pulse_producer_end_of_stream().
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pulse-private.h"

/* one log domain per element: PULSE_DEBUG=producer shows its debug output */
#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "pulse-producer"

#define DEFAULT_INTERVAL 5.0
#define MAX_INTERVAL 86400.0
#define DEFAULT_BURST FALSE
#define DEFAULT_COUNT 0
#define DEFAULT_CACHE_SIZE 100000
#define DEFAULT_TABLES TRUE
/* after a failed call in burst mode, as the original's sleep(0.1) */
#define BURST_BACKOFF_US (100 * G_TIME_SPAN_MILLISECOND)
/* a value nested deeper than this is refused: msgpack readers stop there */
#define MAX_DEPTH 64
#define WARN_FIRST 10
#define WARN_EVERY 1000

typedef enum {
  MODE_PUSH,
  MODE_INTERVAL,
  MODE_BURST,
} Mode;

static const gchar *const mode_names[] = { "push", "interval", "burst" };

typedef enum {
  CALL_PRODUCED, /* a buffer went downstream */
  CALL_NOTHING,  /* the function produced nothing */
  CALL_FAILED,   /* the function or the conversion failed: warned */
  CALL_STOPPED,  /* downstream did not take the buffer */
} CallResult;

/* The C callback, shared with a call in progress so that replacing it
 * never frees its data under that call's feet */
typedef struct {
  gint ref_count;
  PulseProducerFunc func;
  gpointer user_data;
  GDestroyNotify notify;
} Callback;

struct _PulseProducer {
  PulseElement parent_instance;

  PulsePad *srcpad;

  /* One push or EOS at a time; taken before `lock`, never while holding it */
  GMutex stream_lock;
  GMutex lock; /* everything below */
  GCond cond;  /* flushing, eos_requested or ticking changed */

  gdouble interval;
  gboolean burst;
  guint64 count;
  gint cache_size;
  gboolean tables;
  guint64 produced;
  guint64 failed;
  Callback *callback;

  Mode mode;              /* of the current run */
  gboolean flushing;      /* not PLAYING: nothing flows, no EOS */
  gboolean eos_requested; /* send_eos or end_of_stream: stop calling, then EOS */
  gboolean eos_sent;
  guint64 calls;        /* since PLAYING */
  GThread *calling;     /* the thread inside the producer function, if any */
  gboolean call_failed; /* report_error was called during that call */

  /* burst mode */
  GThread *thread;
  gboolean running; /* the thread has not decided to exit yet */

  /* interval mode */
  GMainContext *context;
  GSource *source;
  gdouble interval_us; /* copied going to PLAYING */
  gint64 start_us;
  guint64 slot;
  GThread *ticking; /* the thread running a tick, if any */
};

enum {
  PROP_0,
  PROP_INTERVAL,
  PROP_BURST,
  PROP_COUNT,
  PROP_CACHE_SIZE,
  PROP_TABLES,
  PROP_PRODUCED,
  PROP_FAILED,
  N_PROPS
};

enum { SIGNAL_PRODUCE, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PulseProducer, pulse_producer, PULSE_TYPE_ELEMENT)
#define parent_class pulse_producer_parent_class

static const gchar *
name_of (PulseProducer *self)
{
  return pulse_element_get_name (PULSE_ELEMENT (self));
}

/* ---- the callback ---------------------------------------------------------- */

static Callback *
callback_ref (Callback *cb)
{
  if (cb != NULL)
    g_atomic_int_inc (&cb->ref_count);
  return cb;
}

static void
callback_unref (Callback *cb)
{
  if (cb == NULL || !g_atomic_int_dec_and_test (&cb->ref_count))
    return;
  if (cb->notify != NULL)
    cb->notify (cb->user_data);
  g_free (cb);
}

/**
 * pulse_producer_set_callback:
 * @self: a #PulseProducer
 * @func: (nullable) (scope notified) (closure user_data) (destroy notify):
 *   the producer function, or %NULL to go back to the "produce" signal
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data once @func is no longer called
 *
 * Sets the function that makes the producer's values; it takes precedence
 * over the #PulseProducer::produce signal. It may be changed at any time:
 * the next call uses the new one, and a call in progress finishes with
 * the old one, whose @notify runs after it.
 */
void
pulse_producer_set_callback (
    PulseProducer *self, PulseProducerFunc func, gpointer user_data, GDestroyNotify notify)
{
  Callback *cb = NULL;
  Callback *old;

  g_return_if_fail (PULSE_IS_PRODUCER (self));

  if (func != NULL) {
    cb = g_new0 (Callback, 1);
    cb->ref_count = 1;
    cb->func = func;
    cb->user_data = user_data;
    cb->notify = notify;
  } else if (notify != NULL) {
    notify (user_data);
  }
  g_mutex_lock (&self->lock);
  old = self->callback;
  self->callback = cb;
  g_mutex_unlock (&self->lock);
  callback_unref (old);
}

/* ---- values into buffers --------------------------------------------------- */

/* What msgpack and json write as they are: s, ay, x, t, d, b, m, v, lists,
 * maps with string keys and a(vv). Returns -1 for a type they cannot
 * write (tuples, handles, maps with other keys), 1 for one to rewrite
 * (narrower integers, object paths and signatures), 2 when variants inside
 * must be looked at, 0 when the type alone says it is fine. */
static gint
check_type (const GVariantType *type)
{
  const GVariantType *element;

  if (g_variant_type_equal (type, G_VARIANT_TYPE_BYTESTRING))
    return 0;
  switch (g_variant_type_peek_string (type)[0]) {
    case 's':
    case 'x':
    case 't':
    case 'd':
    case 'b': return 0;
    case 'y':
    case 'n':
    case 'q':
    case 'i':
    case 'u':
    case 'o':
    case 'g': return 1;
    case 'v': return 2;
    case 'm': return check_type (g_variant_type_element (type));
    case '{': /* walking into a map's entries */
      if (!g_variant_type_equal (g_variant_type_key (type), G_VARIANT_TYPE_STRING))
        return -1;
      return check_type (g_variant_type_value (type));
    case '(': return g_variant_type_equal (type, G_VARIANT_TYPE ("(vv)")) ? 2 : -1;
    case 'a':
      element = g_variant_type_element (type);
      if (g_variant_type_equal (element, G_VARIANT_TYPE ("(vv)")))
        return 2;
      return check_type (element);
    default: return -1;
  }
}

/* Walks what check_type() cannot see: the values inside variants. On -1,
 * @bad is the type string of the value refused (or of the value too deep). */
static gint
check_value (GVariant *value, guint depth, gchar **bad)
{
  gint verdict = check_type (g_variant_get_type (value));
  gint worst = 0;

  if (verdict == 2 && depth >= MAX_DEPTH)
    verdict = -1;
  if (verdict < 0) {
    *bad = g_strdup (g_variant_get_type_string (value));
    return -1;
  }
  if (verdict != 2)
    return verdict;
  for (gsize i = 0, n = g_variant_n_children (value); i < n; i++) {
    g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
    gint v = check_value (child, depth + 1, bad);

    if (v < 0)
      return -1;
    worst = MAX (worst, v);
  }
  return worst;
}

/* Rebuilds @value with 64-bit integers and plain strings, which every
 * serializer writes; lists become `av`, maps `a{sv}`. Only called on what
 * check_value() found writable. Returns a full reference, never a floating
 * one, whether it made a new value or kept @value. */
static GVariant *
rewrite (GVariant *value)
{
  GVariant *made;

  switch (g_variant_classify (value)) {
    case G_VARIANT_CLASS_BYTE: made = g_variant_new_int64 (g_variant_get_byte (value)); break;
    case G_VARIANT_CLASS_INT16: made = g_variant_new_int64 (g_variant_get_int16 (value)); break;
    case G_VARIANT_CLASS_UINT16: made = g_variant_new_int64 (g_variant_get_uint16 (value)); break;
    case G_VARIANT_CLASS_INT32: made = g_variant_new_int64 (g_variant_get_int32 (value)); break;
    case G_VARIANT_CLASS_UINT32: made = g_variant_new_int64 (g_variant_get_uint32 (value)); break;
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
      made = g_variant_new_string (g_variant_get_string (value, NULL));
      break;
    case G_VARIANT_CLASS_VARIANT: {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      g_autoptr (GVariant) done = rewrite (inner);
      made = g_variant_new_variant (done);
      break;
    }
    case G_VARIANT_CLASS_MAYBE: {
      g_autoptr (GVariant) inner = g_variant_get_maybe (value);
      g_autoptr (GVariant) done = NULL;

      /* nothing is a null whatever its type */
      if (inner == NULL)
        return g_variant_ref (value);
      done = rewrite (inner);
      made = g_variant_new_maybe (NULL, g_variant_new_variant (done));
      break;
    }
    case G_VARIANT_CLASS_TUPLE: { /* (vv): an entry of a map with keys of any type */
      g_autoptr (GVariant) k = g_variant_get_child_value (value, 0);
      g_autoptr (GVariant) v = g_variant_get_child_value (value, 1);
      g_autoptr (GVariant) k2 = rewrite (k);
      g_autoptr (GVariant) v2 = rewrite (v);
      GVariant *pair[2] = { k2, v2 };

      made = g_variant_new_tuple (pair, 2);
      break;
    }
    case G_VARIANT_CLASS_ARRAY: {
      const GVariantType *element = g_variant_type_element (g_variant_get_type (value));
      GVariantBuilder builder;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_BYTESTRING))
        return g_variant_ref (value);
      if (g_variant_type_is_dict_entry (element)) {
        g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
        for (gsize i = 0, n = g_variant_n_children (value); i < n; i++) {
          g_autoptr (GVariant) entry = g_variant_get_child_value (value, i);
          g_autoptr (GVariant) v = g_variant_get_child_value (entry, 1);
          g_autoptr (GVariant) done = rewrite (v);
          const gchar *key;

          g_variant_get_child (entry, 0, "&s", &key);
          /* an a{sv}'s values are variants already: no second wrapping */
          if (g_variant_is_of_type (done, G_VARIANT_TYPE_VARIANT))
            g_variant_builder_add (&builder, "{s@v}", key, done);
          else
            g_variant_builder_add (&builder, "{sv}", key, done);
        }
      } else if (g_variant_type_equal (element, G_VARIANT_TYPE ("(vv)"))) {
        g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(vv)"));
        for (gsize i = 0, n = g_variant_n_children (value); i < n; i++) {
          g_autoptr (GVariant) pair = g_variant_get_child_value (value, i);
          g_autoptr (GVariant) done = rewrite (pair);
          g_variant_builder_add_value (&builder, done);
        }
      } else {
        g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
        for (gsize i = 0, n = g_variant_n_children (value); i < n; i++) {
          g_autoptr (GVariant) child = g_variant_get_child_value (value, i);
          g_autoptr (GVariant) done = rewrite (child);

          if (g_variant_is_of_type (done, G_VARIANT_TYPE_VARIANT))
            g_variant_builder_add_value (&builder, done);
          else
            g_variant_builder_add (&builder, "v", done);
        }
      }
      made = g_variant_builder_end (&builder);
      break;
    }
    default:
      /* s x t d b: as they are */
      return g_variant_ref (value);
  }
  return g_variant_ref_sink (made);
}

/* a list whose elements may be maps: worth trying as rows */
static gboolean
maybe_rows (GVariant *value)
{
  return g_variant_is_of_type (value, G_VARIANT_TYPE ("a{s*}")) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE ("aa{s*}")) ||
      g_variant_is_of_type (value, G_VARIANT_TYPE ("av"));
}

/**
 * pulse_producer_make_buffer:
 * @self: a #PulseProducer
 * @value: a value as a #PulseProducerFunc returns it; a floating
 *   reference is sunk
 * @error: return location for a #GError
 *
 * Converts a value into the buffer the producer sends for it, as it does
 * for each value produced or pushed: a table of columns (with
 * #PulseProducer:tables, or always for `a(sv)`), a map or a list of flat
 * maps become a #PulseRecordBatch; anything else — strings, byte strings,
 * lists of them, records that are not flat — a #GVariant value tree with
 * 64-bit integers. Its record count is the length of a list, the rows of
 * a table, 1 for anything else.
 *
 * Returns: (transfer full) (nullable): a new #PulseBuffer of records, or
 *   %NULL with @error set (%PULSE_STREAM_ERROR_ENCODE) for a value no
 *   serializer can write, such as a tuple
 */
PulseBuffer *
pulse_producer_make_buffer (PulseProducer *self, GVariant *value, GError **error)
{
  g_autoptr (GVariant) owned = NULL;
  g_autoptr (GVariant) inner = NULL;
  g_autoptr (PulseRecordBatch) batch = NULL;
  g_autoptr (GVariant) tree = NULL;
  g_autofree gchar *bad = NULL;
  gboolean tables;
  gint verdict;

  g_return_val_if_fail (PULSE_IS_PRODUCER (self), NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  owned = g_variant_ref_sink (value);
  /* a value boxed in variants (as bindings sometimes hand it) is the value */
  inner = g_variant_ref (value);
  for (guint depth = 0; depth < MAX_DEPTH && g_variant_is_of_type (inner, G_VARIANT_TYPE_VARIANT);
       depth++) {
    GVariant *next = g_variant_get_variant (inner);
    g_variant_unref (inner);
    inner = next;
  }

  g_mutex_lock (&self->lock);
  tables = self->tables;
  g_mutex_unlock (&self->lock);

  if (g_variant_is_of_type (inner, G_VARIANT_TYPE ("a(s*)")) ||
      (tables && pulse_record_batch_is_table_variant (inner))) {
    batch = pulse_record_batch_new_from_columns (inner, error);
    return batch != NULL ? pulse_buffer_new_records (batch) : NULL;
  }
  if (maybe_rows (inner)) {
    /* records that are not flat (a field holding a list, a string here and
     * a number there) are not an error: they travel as a value tree */
    batch = pulse_record_batch_new_from_variant (inner, NULL);
    if (batch != NULL)
      return pulse_buffer_new_records (batch);
  }

  verdict = check_value (inner, 0, &bad);
  if (verdict < 0) {
    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_ENCODE,
        _ ("%s cannot send a value holding %s: produce maps a{sv}, lists, tables of columns, "
           "strings, byte strings or numbers (x, d, b), with no tuple, no map keyed by other "
           "than strings, and at most %d levels deep"),
        name_of (self), bad, MAX_DEPTH);
    return NULL;
  }
  tree = verdict == 0 ? g_variant_ref (inner) : rewrite (inner);
  return pulse_buffer_new_value (tree);
}

/* ---- pushing ----------------------------------------------------------------- */

/* Sends @buffer (transfer full) downstream unless the stream is not
 * flowing; holds the stream lock so that pushes from several threads and
 * the end of stream come one at a time */
static PulseFlowReturn
push_buffer (PulseProducer *self, PulseBuffer *buffer)
{
  PulseFlowReturn ret = PULSE_FLOW_OK;

  g_mutex_lock (&self->stream_lock);
  g_mutex_lock (&self->lock);
  if (self->flushing)
    ret = PULSE_FLOW_FLUSHING;
  else if (self->eos_sent)
    ret = PULSE_FLOW_EOS;
  g_mutex_unlock (&self->lock);

  if (ret == PULSE_FLOW_OK) {
    ret = pulse_pad_push (self->srcpad, buffer);
    if (ret == PULSE_FLOW_OK) {
      g_mutex_lock (&self->lock);
      self->produced++;
      g_mutex_unlock (&self->lock);
    }
  } else {
    pulse_buffer_unref (buffer);
  }
  g_mutex_unlock (&self->stream_lock);
  return ret;
}

/* Pushes end-of-stream once, after every buffer already pushed, unless
 * the element is leaving PLAYING */
static void
finish_stream (PulseProducer *self)
{
  gboolean push;

  g_mutex_lock (&self->stream_lock);
  g_mutex_lock (&self->lock);
  push = !self->flushing && !self->eos_sent;
  if (push)
    self->eos_sent = TRUE;
  g_mutex_unlock (&self->lock);
  if (push) {
    g_debug ("%s: end of stream", name_of (self));
    pulse_element_push_eos (PULSE_ELEMENT (self));
  }
  g_mutex_unlock (&self->stream_lock);
}

static gboolean
push_checked (PulseProducer *self, PulseBuffer *buffer, GError **error)
{
  PulseFlowReturn ret = push_buffer (self, buffer);

  switch (ret) {
    case PULSE_FLOW_OK: return TRUE;
    case PULSE_FLOW_FLUSHING:
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_FAILED,
          _ ("%s is not playing: data flows only while the pipeline is PLAYING"), name_of (self));
      break;
    case PULSE_FLOW_EOS:
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_FAILED,
          _ ("%s has ended its stream: nothing more can be pushed"), name_of (self));
      break;
    case PULSE_FLOW_NOT_LINKED:
      g_set_error (error, PULSE_CORE_ERROR, PULSE_CORE_ERROR_NOT_LINKED,
          _ ("%s is not linked to anything"), name_of (self));
      break;
    default:
      g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_FAILED,
          _ ("downstream of %s failed (%s): see the error on the bus"), name_of (self),
          pulse_flow_get_name (ret));
  }
  return FALSE;
}

/**
 * pulse_producer_push:
 * @self: a #PulseProducer in a PLAYING pipeline
 * @value: the value, as a #PulseProducerFunc returns it; a floating
 *   reference is sunk
 * @error: return location for a #GError
 *
 * Sends a value now, in any mode, from the calling thread: it is converted
 * as pulse_producer_make_buffer() does and pushed downstream before this
 * returns. Safe from any thread: pushes (and the end of stream) go one at
 * a time, so this waits while another is in progress.
 *
 * Returns: %TRUE if the value went downstream; %FALSE with @error set when
 *   it cannot be converted (%PULSE_STREAM_ERROR_ENCODE), the element is not
 *   PLAYING or has ended its stream (%PULSE_CORE_ERROR_FAILED), or
 *   downstream refused it
 */
gboolean
pulse_producer_push (PulseProducer *self, GVariant *value, GError **error)
{
  PulseBuffer *buffer;

  g_return_val_if_fail (PULSE_IS_PRODUCER (self), FALSE);
  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buffer = pulse_producer_make_buffer (self, value, error);
  if (buffer == NULL)
    return FALSE;
  return push_checked (self, buffer, error);
}

/**
 * pulse_producer_push_bytes:
 * @self: a #PulseProducer in a PLAYING pipeline
 * @bytes: a byte string, sent without a copy
 * @error: return location for a #GError
 *
 * Sends one byte string (one record), as pulse_producer_push() does with
 * an `ay` value: what the bytes serializer sends as it is.
 *
 * Returns: %TRUE if the bytes went downstream
 */
gboolean
pulse_producer_push_bytes (PulseProducer *self, GBytes *bytes, GError **error)
{
  g_return_val_if_fail (PULSE_IS_PRODUCER (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return push_checked (self,
      pulse_buffer_new_value (g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE)),
      error);
}

/**
 * pulse_producer_push_buffer:
 * @self: a #PulseProducer in a PLAYING pipeline
 * @buffer: (transfer full): a buffer of records, e.g. from
 *   pulse_buffer_new_records() on a batch built column by column
 * @error: return location for a #GError
 *
 * Sends a buffer made by the application, for C code that builds its
 * records without going through #GVariant.
 *
 * Returns: %TRUE if the buffer went downstream
 */
gboolean
pulse_producer_push_buffer (PulseProducer *self, PulseBuffer *buffer, GError **error)
{
  g_return_val_if_fail (PULSE_IS_PRODUCER (self), FALSE);
  g_return_val_if_fail (buffer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (pulse_buffer_get_format (buffer) != PULSE_FORMAT_RECORDS) {
    g_autofree gchar *format = pulse_format_to_string (pulse_buffer_get_format (buffer));

    g_set_error (error, PULSE_STREAM_ERROR, PULSE_STREAM_ERROR_FORMAT,
        _ ("%s sends records, not %s buffers"), name_of (self), format);
    pulse_buffer_unref (buffer);
    return FALSE;
  }
  return push_checked (self, buffer, error);
}

/* ---- calling the producer function ------------------------------------------ */

static void
warn_failure (PulseProducer *self, const gchar *message, const GError *error)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = ++self->failed;
  g_mutex_unlock (&self->lock);

  /* the original logs every failure; here the first ones, then every
   * WARN_EVERY-th, so that a fast failing producer cannot flood the bus */
  if (n > WARN_FIRST && n % WARN_EVERY != 0)
    return;
  if (error != NULL)
    PULSE_ELEMENT_WARNING (self, STREAM, FAILED,
        (_ ("%s could not produce (%llu failures so far): %s"), name_of (self),
            (unsigned long long) n, message),
        ("%s error %d", g_quark_to_string (error->domain), error->code));
  else
    PULSE_ELEMENT_WARNING (self, STREAM, FAILED,
        (_ ("%s could not produce (%llu failures so far): %s"), name_of (self),
            (unsigned long long) n, message),
        (NULL));
}

/**
 * pulse_producer_report_error:
 * @self: a #PulseProducer
 * @message: what went wrong
 *
 * Reports that producing failed: a WARNING on the bus naming the element,
 * counted by #PulseProducer:failed. Called from a "produce" handler or the
 * callback during a call, it also makes that call a failure: what it
 * returns is dropped, and in burst mode the stream goes on after a 100 ms
 * pause instead of ending. This is the error channel of signal handlers,
 * e.g. a Python handler that catches its exception.
 */
void
pulse_producer_report_error (PulseProducer *self, const gchar *message)
{
  g_return_if_fail (PULSE_IS_PRODUCER (self));
  g_return_if_fail (message != NULL);

  g_mutex_lock (&self->lock);
  if (self->calling == g_thread_self ())
    self->call_failed = TRUE;
  g_mutex_unlock (&self->lock);
  warn_failure (self, message, NULL);
}

/* One call of the producer function, and the push of what it made.
 * @flow is what downstream said, for CALL_STOPPED. */
static CallResult
call_once (PulseProducer *self, PulseFlowReturn *flow)
{
  g_autoptr (GError) error = NULL;
  GVariant *value = NULL;
  PulseBuffer *buffer;
  Callback *cb;
  gboolean reported;

  g_mutex_lock (&self->lock);
  cb = callback_ref (self->callback);
  self->calling = g_thread_self ();
  self->call_failed = FALSE;
  self->calls++;
  g_mutex_unlock (&self->lock);

  if (cb != NULL) {
    value = cb->func (self, cb->user_data, &error);
    if (value != NULL)
      value = g_variant_take_ref (value);
    callback_unref (cb);
  } else {
    g_signal_emit (self, signals[SIGNAL_PRODUCE], 0, &value);
  }

  g_mutex_lock (&self->lock);
  self->calling = NULL;
  reported = self->call_failed;
  g_mutex_unlock (&self->lock);

  if (error != NULL || reported) {
    g_clear_pointer (&value, g_variant_unref);
    if (error != NULL)
      warn_failure (self, error->message, error);
    return CALL_FAILED;
  }
  if (value == NULL)
    return CALL_NOTHING;

  buffer = pulse_producer_make_buffer (self, value, &error);
  g_variant_unref (value);
  if (buffer == NULL) {
    warn_failure (self, error->message, error);
    return CALL_FAILED;
  }
  *flow = push_buffer (self, buffer);
  return *flow == PULSE_FLOW_OK ? CALL_PRODUCED : CALL_STOPPED;
}

/* ---- interval mode: a source on the application's main context --------------- */

static gint64
slot_time (PulseProducer *self, guint64 slot)
{
  return self->start_us + (gint64) ((gdouble) slot * self->interval_us);
}

/* Removes the tick source; any thread. With @wait, also waits for a tick
 * in progress on another thread (leaving PLAYING: nothing may run after) */
static void
stop_source (PulseProducer *self, gboolean wait)
{
  GSource *source;

  g_mutex_lock (&self->lock);
  source = g_steal_pointer (&self->source);
  while (wait && self->ticking != NULL && self->ticking != g_thread_self ())
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  if (source != NULL) {
    g_source_destroy (source);
    g_source_unref (source);
  }
}

static gboolean
tick (gpointer user_data)
{
  PulseProducer *self = PULSE_PRODUCER (user_data);
  GSource *current = g_main_current_source ();
  PulseFlowReturn flow = PULSE_FLOW_OK;
  CallResult result;
  gboolean last, eos;
  gint64 now;

  g_mutex_lock (&self->lock);
  if (self->source != current || self->flushing || self->eos_requested) {
    g_mutex_unlock (&self->lock);
    return G_SOURCE_REMOVE;
  }
  self->ticking = g_thread_self ();
  g_mutex_unlock (&self->lock);

  result = call_once (self, &flow);

  g_mutex_lock (&self->lock);
  self->ticking = NULL;
  g_cond_broadcast (&self->cond);
  last = self->count > 0 && self->calls >= self->count;
  eos = self->eos_requested; /* asked for during the call: ours to send */
  g_mutex_unlock (&self->lock);

  if (result == CALL_STOPPED) {
    /* downstream has ended, is stopping, or failed (and said so on the
     * bus): only an ended downstream still wants our EOS */
    g_debug ("%s: push returned %s, stopping", name_of (self), pulse_flow_get_name (flow));
    stop_source (self, FALSE);
    if (flow == PULSE_FLOW_EOS)
      finish_stream (self);
    return G_SOURCE_REMOVE;
  }
  if (last || eos) {
    stop_source (self, FALSE);
    finish_stream (self);
    return G_SOURCE_REMOVE;
  }

  /* the next slot on the grid: a late call is made at once, the slots it
   * missed are skipped */
  now = g_get_monotonic_time ();
  self->slot++;
  while (slot_time (self, self->slot + 1) <= now)
    self->slot++;
  g_source_set_ready_time (current, slot_time (self, self->slot));
  return G_SOURCE_CONTINUE;
}

/* a source with no fd and no timeout of its own: only its ready time */
static gboolean
tick_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs tick_source_funcs = {
  .dispatch = tick_source_dispatch,
};

/* ---- burst mode: a streaming thread ------------------------------------------ */

static gpointer
burst_thread (gpointer user_data)
{
  /* the thread holds a reference of its own, dropped as it ends */
  PulseProducer *self = PULSE_PRODUCER (user_data);
  gboolean end = FALSE; /* the stream is over: EOS follows */
  gboolean push_eos;

  for (;;) {
    PulseFlowReturn flow = PULSE_FLOW_OK;
    CallResult result;
    gboolean go;

    g_mutex_lock (&self->lock);
    go = !self->flushing && !self->eos_requested;
    if (go && self->count > 0 && self->calls >= self->count) {
      end = TRUE;
      go = FALSE;
    }
    g_mutex_unlock (&self->lock);
    if (!go)
      break;

    result = call_once (self, &flow);
    if (result == CALL_NOTHING) {
      end = TRUE;
      break;
    }
    if (result == CALL_STOPPED) {
      g_debug ("%s: push returned %s, stopping", name_of (self), pulse_flow_get_name (flow));
      end = flow == PULSE_FLOW_EOS;
      break;
    }
    if (result == CALL_FAILED) {
      gint64 until = g_get_monotonic_time () + BURST_BACKOFF_US;

      g_mutex_lock (&self->lock);
      while (!self->flushing && !self->eos_requested &&
          g_cond_wait_until (&self->cond, &self->lock, until))
        ;
      g_mutex_unlock (&self->lock);
    }
  }

  /* decided under the lock, so that send_eos either leaves EOS to us or
   * sees we are gone and pushes it itself */
  g_mutex_lock (&self->lock);
  push_eos = end || self->eos_requested;
  self->running = FALSE;
  g_mutex_unlock (&self->lock);
  if (push_eos)
    finish_stream (self);
  g_object_unref (self);
  return NULL;
}

static void
stop_thread (PulseProducer *self)
{
  GThread *thread;

  g_mutex_lock (&self->lock);
  self->flushing = TRUE;
  g_cond_broadcast (&self->cond);
  thread = g_steal_pointer (&self->thread);
  g_mutex_unlock (&self->lock);
  if (thread == NULL)
    return;
  if (thread == g_thread_self ())
    /* asked from the producer function: the thread ends when it returns,
     * and keeps the element alive until then */
    g_thread_unref (thread);
  else
    g_thread_join (thread);
}

/* ---- the element ---------------------------------------------------------------- */

static gboolean
start (PulseProducer *self, GError **error)
{
  g_autofree gchar *thread_name = NULL;

  g_mutex_lock (&self->lock);
  self->flushing = FALSE;
  self->eos_requested = FALSE;
  self->eos_sent = FALSE;
  self->produced = 0;
  self->failed = 0;
  self->calls = 0;
  self->slot = 0;
  self->mode = self->burst ? MODE_BURST : self->interval > 0 ? MODE_INTERVAL : MODE_PUSH;
  self->interval_us = self->interval * G_USEC_PER_SEC;
  self->running = self->mode == MODE_BURST;
  g_mutex_unlock (&self->lock);

  switch (self->mode) {
    case MODE_BURST:
      thread_name = g_strdup_printf ("produce:%s", name_of (self));
      self->thread = g_thread_try_new (thread_name, burst_thread, g_object_ref (self), error);
      if (self->thread == NULL) {
        g_object_unref (self);
        g_mutex_lock (&self->lock);
        self->running = FALSE;
        self->flushing = TRUE;
        g_mutex_unlock (&self->lock);
        return FALSE;
      }
      break;
    case MODE_INTERVAL: {
      GSource *source = g_source_new (&tick_source_funcs, sizeof (GSource));

      g_clear_pointer (&self->context, g_main_context_unref);
      self->context = g_main_context_ref_thread_default ();
      self->start_us = g_get_monotonic_time ();
      g_source_set_static_name (source, "PulseProducer tick");
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      /* the source keeps the element alive while a tick may run */
      g_source_set_callback (source, tick, g_object_ref (self), g_object_unref);
      /* the first call at once, as the original */
      g_source_set_ready_time (source, self->start_us);
      g_mutex_lock (&self->lock);
      self->source = source;
      g_mutex_unlock (&self->lock);
      g_source_attach (source, self->context);
      break;
    }
    case MODE_PUSH: break;
  }
  g_debug ("%s: %s mode", name_of (self), mode_names[self->mode]);
  return TRUE;
}

static gboolean
pulse_producer_change_state (PulseElement *element, PulseStateChange transition, GError **error)
{
  PulseProducer *self = PULSE_PRODUCER (element);

  switch (transition) {
    case PULSE_STATE_CHANGE_READY_TO_PLAYING:
      if (!start (self, error))
        return FALSE;
      break;
    case PULSE_STATE_CHANGE_PLAYING_TO_READY:
      /* flushing first: a tick or a push in progress sends nothing more */
      stop_thread (self);
      stop_source (self, TRUE);
      break;
    case PULSE_STATE_CHANGE_READY_TO_NULL:
      g_clear_pointer (&self->context, g_main_context_unref);
      break;
    default: break;
  }
  return PULSE_ELEMENT_CLASS (parent_class)->change_state (element, transition, error);
}

/* Stops calling and has EOS follow the last buffer. Called from the
 * pipeline's thread (pulse-launch's SIGINT), or by the application: it
 * never waits for a call in progress, which ends the stream itself. */
static void
pulse_producer_send_eos (PulseElement *element)
{
  PulseProducer *self = PULSE_PRODUCER (element);
  gboolean later;

  g_mutex_lock (&self->lock);
  if (self->flushing) {
    g_mutex_unlock (&self->lock);
    return;
  }
  self->eos_requested = TRUE;
  g_cond_broadcast (&self->cond);
  /* a burst thread, or a tick running on another thread, sends it when
   * it is done */
  later = (self->mode == MODE_BURST && self->running) ||
      (self->ticking != NULL && self->ticking != g_thread_self ());
  g_mutex_unlock (&self->lock);
  if (later)
    return;
  stop_source (self, FALSE);
  finish_stream (self);
}

/**
 * pulse_producer_end_of_stream:
 * @self: a #PulseProducer
 *
 * Ends the stream: no more calls, and end-of-stream follows the last
 * buffer, as pulse_pipeline_send_eos() does for every source. A call in
 * progress finishes first, and what it produces is still sent. Pushes
 * fail from then on. Does nothing unless the element is PLAYING.
 */
void
pulse_producer_end_of_stream (PulseProducer *self)
{
  g_return_if_fail (PULSE_IS_PRODUCER (self));
  pulse_producer_send_eos (PULSE_ELEMENT (self));
}

static void
pulse_producer_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PulseProducer *self = PULSE_PRODUCER (object);

  /* the mode and the interval are read going to PLAYING; count and tables
   * at each call */
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_INTERVAL: self->interval = g_value_get_double (value); break;
    case PROP_BURST: self->burst = g_value_get_boolean (value); break;
    case PROP_COUNT: self->count = g_value_get_uint64 (value); break;
    case PROP_CACHE_SIZE: self->cache_size = g_value_get_int (value); break;
    case PROP_TABLES: self->tables = g_value_get_boolean (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
pulse_producer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PulseProducer *self = PULSE_PRODUCER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_INTERVAL: g_value_set_double (value, self->interval); break;
    case PROP_BURST: g_value_set_boolean (value, self->burst); break;
    case PROP_COUNT: g_value_set_uint64 (value, self->count); break;
    case PROP_CACHE_SIZE: g_value_set_int (value, self->cache_size); break;
    case PROP_TABLES: g_value_set_boolean (value, self->tables); break;
    case PROP_PRODUCED: g_value_set_uint64 (value, self->produced); break;
    case PROP_FAILED: g_value_set_uint64 (value, self->failed); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
pulse_producer_finalize (GObject *object)
{
  PulseProducer *self = PULSE_PRODUCER (object);

  /* the thread and the source hold references: both are gone by now */
  g_warn_if_fail (self->thread == NULL);
  g_warn_if_fail (self->source == NULL);
  callback_unref (self->callback);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->stream_lock);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
pulse_producer_class_init (PulseProducerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PulseElementClass *element_class = PULSE_ELEMENT_CLASS (klass);

  object_class->set_property = pulse_producer_set_property;
  object_class->get_property = pulse_producer_get_property;
  object_class->finalize = pulse_producer_finalize;
  element_class->change_state = pulse_producer_change_state;
  element_class->send_eos = pulse_producer_send_eos;

  /**
   * PulseProducer:interval:
   *
   * Seconds between calls of the producer function, on a fixed grid of the
   * monotonic clock; 0 (with burst off) calls nothing: data comes only
   * from pushes.
   */
  properties[PROP_INTERVAL] = pulse_param_spec_duration ("interval", "Interval",
      "Seconds between calls of the producer function (0 = push only)", 0.0, MAX_INTERVAL,
      DEFAULT_INTERVAL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseProducer:burst:
   *
   * Call the producer function back to back, on a thread of the element's
   * own, until it produces nothing; then end the stream. The interval is
   * not used.
   */
  properties[PROP_BURST] = g_param_spec_boolean ("burst", "Burst",
      "Call back to back until nothing is produced, then end the stream", DEFAULT_BURST,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseProducer:count:
   *
   * Calls of the producer function before end-of-stream, whether they
   * produced or not; 0 for no end. Pushes are not counted.
   */
  properties[PROP_COUNT] = g_param_spec_uint64 ("count", "Count",
      "Calls of the producer function before end-of-stream (0 = endless)", 0, G_MAXUINT64,
      DEFAULT_COUNT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseProducer:cache-size:
   *
   * How many messages of this producer's topic a publisher keeps in its
   * cache, as the original's `cache_size` (messages, not records). The
   * producer only carries the setting; a zmqpub downstream reads it.
   */
  properties[PROP_CACHE_SIZE] = g_param_spec_int ("cache-size", "Cache size",
      "Messages of this topic a publisher downstream keeps in its cache", 0, G_MAXINT,
      DEFAULT_CACHE_SIZE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseProducer:tables:
   *
   * Read a map whose values are all lists (`{"seq": [1, 2], "price":
   * [10.5, 10.6]}`) as a table of columns, one record per row, as a
   * DataFrame. Turn it off to send such maps as one record holding lists;
   * a list of (name, list) pairs `a(sv)` is a table either way.
   */
  properties[PROP_TABLES] = g_param_spec_boolean ("tables", "Tables",
      "Read a map whose values are all lists as a table of columns", DEFAULT_TABLES,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseProducer:produced:
   *
   * Buffers sent downstream (produced or pushed) since PLAYING.
   */
  properties[PROP_PRODUCED] = g_param_spec_uint64 ("produced", "Produced",
      "Buffers sent downstream since PLAYING", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PulseProducer:failed:
   *
   * Calls that failed since PLAYING, each a WARNING (the first ones, then
   * one in a thousand).
   */
  properties[PROP_FAILED] = g_param_spec_uint64 ("failed", "Failed",
      "Calls of the producer function that failed since PLAYING", 0, G_MAXUINT64, 0,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PulseProducer::produce:
   * @producer: the producer
   *
   * Asks for the next value when no callback is set (see
   * pulse_producer_set_callback()): in interval mode on the thread of the
   * main context that was the thread-default one going to PLAYING, in burst
   * mode on the producer's thread. The first handler's value is used; a
   * value that cannot be converted is a failure (a WARNING). To report an
   * error, call pulse_producer_report_error() and return %NULL.
   *
   * Returns: (transfer full) (nullable): the value (see #PulseProducerFunc),
   *   or %NULL for nothing: the tick is skipped, or in burst mode the
   *   stream ends
   */
  signals[SIGNAL_PRODUCE] = g_signal_new ("produce", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
      0, g_signal_accumulator_first_wins, NULL, NULL, G_TYPE_VARIANT, 0);

  pulse_element_class_set_metadata (element_class, "Application producer", "Source/App",
      "Sends what application code produces: a callback or \"produce\" handler called every "
      "interval or back to back (burst), or values pushed with pulse_producer_push()",
      "producer interval=0.1 count=3 ! print");
  pulse_element_class_add_pad_template (element_class,
      pulse_pad_template_new ("src", PULSE_PAD_SRC, PULSE_PAD_ALWAYS, PULSE_FORMAT_RECORDS));
}

static void
pulse_producer_init (PulseProducer *self)
{
  g_mutex_init (&self->stream_lock);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->interval = DEFAULT_INTERVAL;
  self->burst = DEFAULT_BURST;
  self->count = DEFAULT_COUNT;
  self->cache_size = DEFAULT_CACHE_SIZE;
  self->tables = DEFAULT_TABLES;
  self->flushing = TRUE; /* until PLAYING: nothing flows */
  self->srcpad = pulse_element_add_pad_from_template (PULSE_ELEMENT (self), "src");
}
